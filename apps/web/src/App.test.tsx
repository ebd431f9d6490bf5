import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { ApiProvider } from "./api/context";
import { createProjectsApi, type FetchLike } from "./api/client";
import { fakeProjectsServer } from "./test/fakeApi";

function renderApp(fetch: FetchLike, pageSize = 10) {
  render(
    <ApiProvider api={createProjectsApi("http://api.test", fetch)}>
      <App pageSize={pageSize} />
    </ApiProvider>,
  );
}

const projectNames = () =>
  within(screen.getByRole("list", { name: "Projects" }))
    .getAllByRole("listitem")
    .map((li) => li.querySelector(".project-name")?.textContent);

describe("App", () => {
  it("shows a loading state, then the projects from the API", async () => {
    const server = fakeProjectsServer(["Atlas", "Borealis"]);
    renderApp(server.fetch);

    expect(screen.getByRole("status")).toHaveTextContent("Loading projects");
    expect(await screen.findByText("Borealis")).toBeInTheDocument();
    expect(projectNames()).toEqual(["Atlas", "Borealis"]);
    expect(server.calls.find((c) => c.url.includes("/projects"))?.url).toBe("http://api.test/api/v1/projects?limit=10&offset=0");
    expect(await screen.findByText("tester@example.com")).toBeInTheDocument();
    expect(screen.getByText(/Signed in as/)).toHaveTextContent("Signed in as tester@example.com");
  });

  it("creates a project and lists it", async () => {
    const server = fakeProjectsServer();
    const user = userEvent.setup();
    renderApp(server.fetch);
    expect(await screen.findByText(/No projects yet/)).toBeInTheDocument();

    const form = screen.getByRole("form", { name: "New project" });
    await user.type(within(form).getByLabelText("Name"), "Atlas");
    await user.type(within(form).getByLabelText("Description"), "Maps for everyone");
    await user.click(within(form).getByRole("button", { name: "Create project" }));

    expect(await screen.findByText("Created Atlas.")).toBeInTheDocument();
    expect(projectNames()).toEqual(["Atlas"]);
    expect(server.projects[0]).toMatchObject({ name: "Atlas", description: "Maps for everyone" });
    expect(within(form).getByLabelText("Name")).toHaveValue("");
  });

  it("shows the server's message and field when the name is taken, and marks the field", async () => {
    const server = fakeProjectsServer(["Atlas"]);
    const user = userEvent.setup();
    renderApp(server.fetch);
    await screen.findByText("Atlas");

    const form = screen.getByRole("form", { name: "New project" });
    await user.type(within(form).getByLabelText("Name"), "Atlas");
    await user.click(within(form).getByRole("button", { name: "Create project" }));

    const alert = await within(form).findByRole("alert");
    expect(alert).toHaveTextContent('A project named "Atlas" already exists.');
    expect(alert).toHaveTextContent("(field: name)");
    expect(within(form).getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByLabelText("Name")).toHaveValue("Atlas");
    expect(server.projects).toHaveLength(1);
  });

  it("pages through projects with Next and Previous", async () => {
    const server = fakeProjectsServer(["P1", "P2", "P3", "P4", "P5"]);
    const user = userEvent.setup();
    renderApp(server.fetch, 2);
    await screen.findByText("P1");
    const pager = screen.getByRole("navigation", { name: "Pagination" });
    expect(within(pager).getByRole("button", { name: "Previous" })).toBeDisabled();
    expect(pager).toHaveTextContent("1–2 of 5");

    await user.click(within(pager).getByRole("button", { name: "Next" }));
    await user.click(await within(pager).findByRole("button", { name: "Next" }));
    await waitFor(() => expect(projectNames()).toEqual(["P5"]));
    expect(pager).toHaveTextContent("5–5 of 5");
    expect(within(pager).getByRole("button", { name: "Next" })).toBeDisabled();
    expect(server.calls.at(-1)?.url).toContain("limit=2&offset=4");

    await user.click(within(pager).getByRole("button", { name: "Previous" }));
    await waitFor(() => expect(projectNames()).toEqual(["P3", "P4"]));
  });

  it("deletes a project only after confirmation, stepping back from an emptied page", async () => {
    const server = fakeProjectsServer(["P1", "P2", "P3"]);
    const user = userEvent.setup();
    renderApp(server.fetch, 2);
    await screen.findByText("P1");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await screen.findByText("P3");

    await user.click(screen.getByRole("button", { name: "Delete P3" }));
    expect(server.projects).toHaveLength(3);
    await user.click(screen.getByRole("button", { name: "Confirm delete P3" }));

    expect(await screen.findByText("Deleted P3.")).toBeInTheDocument();
    await waitFor(() => expect(projectNames()).toEqual(["P1", "P2"]));
    expect(server.projects.map((p) => p.name)).toEqual(["P1", "P2"]);
  });

  it("shows an error when the API cannot be reached", async () => {
    renderApp(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("Cannot reach the API (Failed to fetch).");
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });
});
