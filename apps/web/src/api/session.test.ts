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

  it("drops a #fragment, which would otherwise not load the page at all", () => {
    const { win, assign } = fakeWindow();
    win.location.href = "https://app.example/projects/3#items";
    signInAgain(win, 1_000_000);
    expect(assign).toHaveBeenCalledWith("https://app.example/projects/3");
  });

  it("starts one navigation when several requests fail together", () => {
    const { win, assign } = fakeWindow();
    expect(signInAgain(win, 1_000_000)).toBe(true);
    expect(signInAgain(win, 1_000_001)).toBe(true);
    expect(assign).toHaveBeenCalledTimes(1);
  });

  it("does not navigate again while the last attempt is recent (no redirect loop)", () => {
    const storage = new Map<string, string>(); // sessionStorage outlives the page, per tab
    const before = fakeWindow(storage);
    signInAgain(before.win, 1_000_000);
    const signedIn = fakeWindow(storage); // the page again, after signing in
    expect(signInAgain(signedIn.win, 1_000_000 + RETRY_GUARD_MS - 1)).toBe(false);
    expect(signedIn.assign).not.toHaveBeenCalled();
    const later = fakeWindow(storage);
    expect(signInAgain(later.win, 1_000_000 + RETRY_GUARD_MS)).toBe(true);
    expect(later.assign).toHaveBeenCalledTimes(1);
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
