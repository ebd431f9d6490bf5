import { describe, expect, it, vi } from "vitest";
import { RETRY_GUARD_MS, SIGN_IN_AGAIN_KEY, signInAgain, type SignInWindow } from "./session";

function fakeWindow(storage = new Map<string, string>()) {
  const assign = vi.fn();
  const win: SignInWindow = {
    location: { href: "https://app.example/projects/3?page=2", assign },
    sessionStorage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
    },
  };
  return { win, assign, storage };
}

describe("signInAgain", () => {
  it("reloads the current URL through the load balancer, which sends the user to sign in", () => {
    const { win, assign, storage } = fakeWindow();
    expect(signInAgain(win, 1_000_000)).toBe(true);
    expect(assign).toHaveBeenCalledWith("https://app.example/projects/3?page=2");
    expect(storage.get(SIGN_IN_AGAIN_KEY)).toBe("1000000");
  });

  it("does not navigate again while the last attempt is recent (no redirect loop)", () => {
    const { win, assign } = fakeWindow();
    signInAgain(win, 1_000_000);
    expect(signInAgain(win, 1_000_000 + RETRY_GUARD_MS - 1)).toBe(false);
    expect(assign).toHaveBeenCalledTimes(1);
    expect(signInAgain(win, 1_000_000 + RETRY_GUARD_MS)).toBe(true);
    expect(assign).toHaveBeenCalledTimes(2);
  });

  it("does not navigate when storage is unavailable, since nothing could stop a loop", () => {
    const assign = vi.fn();
    const win: SignInWindow = {
      location: { href: "https://app.example/", assign },
      sessionStorage: {
        getItem: () => {
          throw new DOMException("denied", "SecurityError");
        },
        setItem: () => undefined,
      },
    };
    expect(signInAgain(win)).toBe(false);
    expect(assign).not.toHaveBeenCalled();
  });
});
