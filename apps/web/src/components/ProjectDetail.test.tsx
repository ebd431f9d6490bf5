import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { ApiProvider } from "../api/context";
import { createProjectsApi, type FetchLike } from "../api/client";
import { OWNER_ONLY } from "../api/errors";
import { fakeProjectsServer } from "../test/fakeApi";
import { ProjectDetail } from "./ProjectDetail";

function renderWithApi(ui: React.ReactElement, fetch: FetchLike) {
  return render(<ApiProvider api={createProjectsApi("", fetch)}>{ui}</ApiProvider>);
}

describe("ProjectDetail", () => {
  it("adds items and toggles them done", async () => {
    const server = fakeProjectsServer(["Atlas"]);
    const user = userEvent.setup();
    renderWithApi(<ProjectDetail projectId={1} onBack={vi.fn()} onChanged={vi.fn()} />, server.fetch);

    expect(await screen.findByRole("heading", { name: "Atlas" })).toBeInTheDocument();
    expect(await screen.findByText("No items yet.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Item title"), "Write the README");
    await user.click(screen.getByRole("button", { name: "Add item" }));

    const checkbox = await screen.findByRole("checkbox", { name: "Write the README" });
    expect(checkbox).not.toBeChecked();
    expect(screen.getByLabelText("Item title")).toHaveValue("");
    await user.click(checkbox);
    expect(await screen.findByRole("checkbox", { name: "Write the README" })).toBeChecked();
    expect(server.items.get(1)).toEqual([{ id: 2, title: "Write the README", done: true }]);
  });

  it("puts a ticked item back and shows the API's message when the update fails", async () => {
    const server = fakeProjectsServer(["Atlas"]);
    server.items.set(1, [{ id: 5, title: "Ship it", done: false }]);
    const failingPatch: FetchLike = (url, init) =>
      init?.method === "PATCH"
        ? Promise.resolve(
            new Response(JSON.stringify({ error: { code: "bad_request", message: "done must be a boolean", field: "done" } }), {
              status: 400,
            }),
          )
        : server.fetch(url, init);
    const user = userEvent.setup();
    renderWithApi(<ProjectDetail projectId={1} onBack={vi.fn()} onChanged={vi.fn()} />, failingPatch);

    await user.click(await screen.findByRole("checkbox", { name: "Ship it" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("done must be a boolean (field: done)");
    expect(screen.getByRole("checkbox", { name: "Ship it" })).not.toBeChecked();
  });

  it("edits the project's name and description", async () => {
    const server = fakeProjectsServer(["Atlas"]);
    const onChanged = vi.fn();
    const user = userEvent.setup();
    renderWithApi(<ProjectDetail projectId={1} onBack={vi.fn()} onChanged={onChanged} />, server.fetch);

    await user.click(await screen.findByRole("button", { name: "Edit project" }));
    const form = screen.getByRole("form", { name: "Edit project" });
    const name = within(form).getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Atlas 2");
    await user.type(within(form).getByLabelText("Description"), "Second edition");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));

    expect(await screen.findByRole("heading", { name: "Atlas 2" })).toBeInTheDocument();
    expect(screen.getByText("Second edition")).toBeInTheDocument();
    expect(server.projects[0]).toMatchObject({ name: "Atlas 2", description: "Second edition" });
    expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ name: "Atlas 2" }));
  });

  it("shows the API's message for a missing project", async () => {
    const server = fakeProjectsServer();
    renderWithApi(<ProjectDetail projectId={99} onBack={vi.fn()} onChanged={vi.fn()} />, server.fetch);
    expect(await screen.findByRole("alert")).toHaveTextContent("Project not found.");
  });

  it("opens from the list and returns to it showing the new name", async () => {
    const server = fakeProjectsServer(["Atlas"]);
    const user = userEvent.setup();
    renderWithApi(<App />, server.fetch);

    await user.click(await screen.findByRole("button", { name: "Open Atlas" }));
    await user.click(await screen.findByRole("button", { name: "Edit project" }));
    const name = screen.getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Atlas Prime");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await screen.findByRole("heading", { name: "Atlas Prime" });

    await user.click(screen.getByRole("button", { name: /Back to projects/ }));
    expect(await screen.findByRole("button", { name: "Open Atlas Prime" })).toBeInTheDocument();
    expect(screen.getByText("Saved Atlas Prime.")).toBeInTheDocument();
  });

  it("tells another user that only the owner can rename the project, and keeps the form", async () => {
    const server = fakeProjectsServer(["Atlas"]);
    server.projects[0].owner = "alice";
    const notOwner: FetchLike = (url, init) =>
      init?.method === "PATCH"
        ? Promise.resolve(
            new Response(JSON.stringify({ error: { code: "forbidden", message: "only the owner of project 1 may change it", field: null } }), {
              status: 403,
            }),
          )
        : server.fetch(url, init);
    const user = userEvent.setup();
    renderWithApi(<ProjectDetail projectId={1} onBack={vi.fn()} onChanged={vi.fn()} />, notOwner);

    expect(await screen.findByText("Owner: alice")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Edit project" }));
    const form = screen.getByRole("form", { name: "Edit project" });
    await user.clear(within(form).getByLabelText("Name"));
    await user.type(within(form).getByLabelText("Name"), "Mine");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent(OWNER_ONLY);
    expect(screen.getByRole("heading", { name: "Atlas" })).toBeInTheDocument();
    expect(server.projects[0].name).toBe("Atlas");
  });
});
