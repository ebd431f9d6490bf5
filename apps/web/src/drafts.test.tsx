import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiProvider } from "./api/context";
import { createProjectsApi, type FetchLike } from "./api/client";
import { SIGNING_IN_AGAIN } from "./api/errors";
import { signInAgain, type SignInWindow } from "./api/session";
import { ProjectDetail } from "./components/ProjectDetail";
import { ProjectForm } from "./components/ProjectForm";
import { DRAFT_NOT_SAVED, DRAFT_PREFIX, keepDrafts, readDraft, trackDraft } from "./drafts";
import { fakeProjectsServer } from "./test/fakeApi";

afterEach(() => window.sessionStorage.clear());

/** The browser window as signInAgain sees it, with the real (jsdom) sessionStorage and a recorded navigation. */
function signInWindow() {
  const storedAtNavigation: Record<string, string | null>[] = [];
  const assign = vi.fn(() => {
    storedAtNavigation.push({ ...window.sessionStorage });
  });
  const win: SignInWindow = { location: { href: "https://app.example/projects/1", assign }, sessionStorage: window.sessionStorage };
  return { win, assign, storedAtNavigation };
}

/** The project server, except that PATCH answers the load balancer's 401 (the session ended). */
function sessionEndsOnSave(): FetchLike {
  const server = fakeProjectsServer(["Atlas"]);
  return (url, init) =>
    init?.method === "PATCH" ? Promise.resolve(new Response("<html>401</html>", { status: 401 })) : server.fetch(url, init);
}

describe("drafts", () => {
  it("keeps only forms whose input changed, under their key", () => {
    const stored = new Map<string, string>();
    const untrackA = trackDraft("a", () => ({ name: "typed" }));
    const untrackB = trackDraft("b", () => null);
    keepDrafts({ setItem: (k, v) => void stored.set(k, v) });
    untrackA();
    untrackB();
    expect([...stored]).toEqual([[`${DRAFT_PREFIX}a`, JSON.stringify({ name: "typed" })]]);
  });

  it("ignores a kept value that is not an object of strings", () => {
    window.sessionStorage.setItem(`${DRAFT_PREFIX}x`, "[1,2]");
    window.sessionStorage.setItem(`${DRAFT_PREFIX}y`, "{not json");
    expect(readDraft("x")).toBeNull();
    expect(readDraft("y")).toBeNull();
  });
});

describe("an edit interrupted by signing in again", () => {
  it("is kept before navigating and reopened after sign-in with the notice that it was not saved", async () => {
    const { win, assign, storedAtNavigation } = signInWindow();
    const api = createProjectsApi("", sessionEndsOnSave(), { onUnauthenticated: () => signInAgain(win, 5_000_000) });
    const user = userEvent.setup();
    const first = render(
      <ApiProvider api={api}>
        <ProjectDetail projectId={1} onBack={vi.fn()} onChanged={vi.fn()} />
      </ApiProvider>,
    );
    await user.click(await screen.findByRole("button", { name: "Edit project" }));
    const form = screen.getByRole("form", { name: "Edit project" });
    await user.clear(within(form).getByLabelText("Name"));
    await user.type(within(form).getByLabelText("Name"), "Atlas v2");
    await user.type(within(form).getByLabelText("Description"), "half-written");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent(SIGNING_IN_AGAIN);
    expect(assign).toHaveBeenCalledTimes(1);
    const kept = storedAtNavigation[0][`${DRAFT_PREFIX}/projects/1#edit`];
    expect(JSON.parse(kept ?? "null")).toEqual({ name: "Atlas v2", description: "half-written" });
    first.unmount(); // the page goes away; the load balancer signs the user in and loads it again

    const server = fakeProjectsServer(["Atlas"]);
    render(
      <ApiProvider api={createProjectsApi("", server.fetch)}>
        <ProjectDetail projectId={1} onBack={vi.fn()} onChanged={vi.fn()} />
      </ApiProvider>,
    );
    const reopened = await screen.findByRole("form", { name: "Edit project" });
    expect(within(reopened).getByRole("status")).toHaveTextContent(DRAFT_NOT_SAVED);
    expect(within(reopened).getByLabelText("Name")).toHaveValue("Atlas v2");
    expect(within(reopened).getByLabelText("Description")).toHaveValue("half-written");
    expect(window.sessionStorage.getItem(`${DRAFT_PREFIX}/projects/1#edit`)).toBeNull(); // shown once
    await user.click(within(reopened).getByRole("button", { name: "Save changes" }));
    expect(await screen.findByRole("heading", { name: "Atlas v2" })).toBeInTheDocument();
    expect(screen.queryByText(DRAFT_NOT_SAVED)).toBeNull();
  });

  it("keeps nothing for a form the user did not change", () => {
    const { win } = signInWindow();
    render(<ProjectForm title="New project" submitLabel="Create project" onSubmit={vi.fn()} draftKey="/#new" />);
    signInAgain(win, 6_000_000);
    expect(window.sessionStorage.getItem(`${DRAFT_PREFIX}/#new`)).toBeNull();
  });

  it("restores the new-project form too", () => {
    window.sessionStorage.setItem(`${DRAFT_PREFIX}/#new`, JSON.stringify({ name: "Half", description: "" }));
    render(<ProjectForm title="New project" submitLabel="Create project" onSubmit={vi.fn()} draftKey="/#new" />);
    expect(screen.getByLabelText("Name")).toHaveValue("Half");
    expect(screen.getByRole("status")).toHaveTextContent(DRAFT_NOT_SAVED);
  });
});
