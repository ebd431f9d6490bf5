import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { ApiProvider } from "./api/context";
import { createProjectsApi, type FetchLike } from "./api/client";
import { fakeProjectsServer } from "./test/fakeApi";
import { parseRoute, routeHref } from "./routing";

function renderApp(fetch: FetchLike, pageSize = 10) {
  return render(
    <ApiProvider api={createProjectsApi("http://api.test", fetch)}>
      <App pageSize={pageSize} />
    </ApiProvider>,
  );
}

const here = () => window.location.pathname + window.location.search;
const back = () => act(() => window.history.back());

describe("routes", () => {
  it("give every view one URL and read it back", () => {
    expect(parseRoute("/", "")).toEqual({ view: "list", page: 1 });
    expect(parseRoute("/", "?page=3")).toEqual({ view: "list", page: 3 });
    expect(parseRoute("/projects/42", "")).toEqual({ view: "project", id: 42 });
    for (const junk of ["?page=0", "?page=-1", "?page=abc", "?page=1e3"]) expect(parseRoute("/", junk)).toEqual({ view: "list", page: 1 });
    expect(parseRoute("/projects/abc", "")).toEqual({ view: "list", page: 1 });
    expect(routeHref({ view: "list", page: 1 })).toBe("/");
    expect(routeHref({ view: "list", page: 2 })).toBe("/?page=2");
    expect(routeHref({ view: "project", id: 7 })).toBe("/projects/7");
  });
});

describe("navigation", () => {
  it("opening a project changes the URL and Back returns to the same list page", async () => {
    const server = fakeProjectsServer(["P1", "P2", "P3"]);
    const user = userEvent.setup();
    renderApp(server.fetch, 2);
    await screen.findByText("P1");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await screen.findByText("P3");
    expect(here()).toBe("/?page=2");

    await user.click(screen.getByRole("button", { name: "Open P3" }));
    expect(await screen.findByRole("heading", { name: "P3" })).toBeInTheDocument();
    expect(here()).toBe("/projects/3");

    await back();
    await waitFor(() => expect(here()).toBe("/?page=2"));
    expect(await screen.findByRole("button", { name: "Open P3" })).toBeInTheDocument();
    await back();
    await waitFor(() => expect(here()).toBe("/"));
    expect(await screen.findByRole("button", { name: "Open P1" })).toBeInTheDocument();
  });

  it("a reload (a fresh start on a project URL) shows that project", async () => {
    const server = fakeProjectsServer(["Atlas", "Borealis"]);
    window.history.replaceState(null, "", "/projects/2");
    renderApp(server.fetch);
    expect(await screen.findByRole("heading", { name: "Borealis" })).toBeInTheDocument();
  });

  it("a reload on a list page shows that page", async () => {
    const server = fakeProjectsServer(["P1", "P2", "P3", "P4", "P5"]);
    window.history.replaceState(null, "", "/?page=3");
    renderApp(server.fetch, 2);
    expect(await screen.findByText("P5")).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Pagination" })).toHaveTextContent("5–5 of 5");
  });

  it("a page past the end goes to the last page without a new history entry", async () => {
    const server = fakeProjectsServer(["P1", "P2", "P3"]);
    window.history.replaceState(null, "", "/?page=9");
    renderApp(server.fetch, 2);
    expect(await screen.findByText("P3")).toBeInTheDocument();
    expect(here()).toBe("/?page=2");
  });
});

describe("the project form", () => {
  it("clears the API's error as soon as the field changes", async () => {
    const server = fakeProjectsServer(["Atlas"]);
    const user = userEvent.setup();
    renderApp(server.fetch);
    await screen.findByText("Atlas");
    const form = screen.getByRole("form", { name: "New project" });
    await user.type(within(form).getByLabelText("Name"), "Atlas");
    await user.click(within(form).getByRole("button", { name: "Create project" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("already exists");

    await user.type(within(form).getByLabelText("Name"), "2");
    expect(within(form).queryByRole("alert")).not.toBeInTheDocument();
    expect(within(form).getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
  });

  it("says a pasted name is too long instead of cutting it, and sends nothing", async () => {
    const server = fakeProjectsServer();
    const user = userEvent.setup();
    renderApp(server.fetch);
    await screen.findByText(/No projects yet/);
    const form = screen.getByRole("form", { name: "New project" });
    const name = within(form).getByLabelText("Name");
    await user.click(name);
    await user.paste("x".repeat(130));
    expect(name).toHaveValue("x".repeat(130));
    expect(within(form).getByText("130/100")).toBeInTheDocument();
    const calls = server.calls.length;
    await user.click(within(form).getByRole("button", { name: "Create project" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("Name is 130 characters; the limit is 100.");
    expect(server.calls.length).toBe(calls);
  });

  it.each([
    ["\u200b\u200b", "invisible formatting characters"],
    ["evil\u202egnp.exe", "invisible formatting characters"],
    ["bell\u0007", "control characters"],
    ["   ", "must not be empty"],
  ])("refuses %j and names the rule", async (value, rule) => {
    const server = fakeProjectsServer();
    const user = userEvent.setup();
    renderApp(server.fetch);
    await screen.findByText(/No projects yet/);
    const form = screen.getByRole("form", { name: "New project" });
    await user.click(within(form).getByLabelText("Name"));
    await user.paste(value);
    await user.click(within(form).getByRole("button", { name: "Create project" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent(rule);
    expect(server.projects).toHaveLength(0);
  });

  it("explains the rules next to the field and sends names in NFC", async () => {
    const server = fakeProjectsServer();
    const user = userEvent.setup();
    renderApp(server.fetch);
    await screen.findByText(/No projects yet/);
    const form = screen.getByRole("form", { name: "New project" });
    expect(within(form).getByLabelText("Name")).toHaveAccessibleDescription(/on one line, without control or invisible/);
    await user.click(within(form).getByLabelText("Name"));
    await user.paste("  cafe\u0301  ");
    await user.click(within(form).getByRole("button", { name: "Create project" }));
    await screen.findByText("Created café.");
    expect(server.projects[0].name).toBe("caf\u00e9");
  });
});
