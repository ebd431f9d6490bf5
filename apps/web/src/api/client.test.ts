import { describe, expect, it, vi } from "vitest";
import { createProjectsApi } from "./client";
import { ApiError, OWNER_ONLY, SIGNING_IN_AGAIN, STILL_SIGNED_OUT, stillSignedOutBecause } from "./errors";

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("createProjectsApi", () => {
  it("sends JSON to the configured base URL", async () => {
    const fetch = vi.fn(async () => jsonResponse(201, { id: 7, name: "Atlas" }));
    const api = createProjectsApi("https://api.example.com/", fetch);

    await expect(api.createProject({ name: "Atlas", description: "maps" })).resolves.toMatchObject({ id: 7 });

    expect(fetch).toHaveBeenCalledWith("https://api.example.com/api/v1/projects", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ name: "Atlas", description: "maps" }),
    });
  });

  it("uses same-origin paths and pagination parameters when the base URL is empty", async () => {
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) =>
      jsonResponse(200, { items: [], total: 0, limit: 5, offset: 10 }),
    );
    await createProjectsApi("", fetch).listProjects(5, 10);
    expect(fetch.mock.calls[0]).toEqual(["/api/v1/projects?limit=5&offset=10", expect.anything()]);
  });

  it("turns the API's error envelope into an ApiError with code, message and field", async () => {
    const fetch = vi.fn(async () =>
      jsonResponse(409, { error: { code: "conflict", message: "A project named 'Atlas' already exists.", field: "name" } }),
    );
    const error = await createProjectsApi("", fetch).createProject({ name: "Atlas" }).catch((e) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: "conflict", field: "name" });
    expect(error.message).toBe("A project named 'Atlas' already exists.");
  });

  it("reports a non-JSON failure (e.g. a proxy's 502 page) by its status", async () => {
    const fetch = vi.fn(async () => new Response("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    const error = await createProjectsApi("", fetch).getProject(1).catch((e) => e);
    expect(error).toMatchObject({ status: 502, code: "http_error", field: null });
    expect(error.message).toBe("The API answered 502 Bad Gateway.");
  });

  it("reports an unreachable API as a network error instead of throwing a TypeError", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const error = await createProjectsApi("http://down.invalid", fetch).listProjects(10, 0).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: "network_error" });
    expect(error.message).toContain("Failed to fetch");
  });

  it("accepts 204 No Content on delete and escapes ids in paths", async () => {
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => new Response(null, { status: 204 }));
    await expect(createProjectsApi("", fetch).deleteItem("a/b", 3)).resolves.toBeUndefined();
    expect(fetch.mock.calls[0][0]).toBe("/api/v1/projects/a%2Fb/items/3");
  });

  it("lists items whether the API pages them or returns a bare array", async () => {
    const item = { id: 1, title: "Draft", done: false };
    const paged = vi.fn(async (_url: string, _init?: RequestInit) =>
      jsonResponse(200, { items: [item], total: 1, limit: 100, offset: 0 }),
    );
    const bare = vi.fn(async () => jsonResponse(200, [item]));
    await expect(createProjectsApi("", paged).listItems(1)).resolves.toEqual([item]);
    await expect(createProjectsApi("", bare).listItems(1)).resolves.toEqual([item]);
    expect(paged.mock.calls[0]).toEqual(["/api/v1/projects/1/items?limit=100", expect.anything()]);
  });

  it("rejects a successful response whose body is not JSON", async () => {
    const fetch = vi.fn(async () => new Response("ok", { status: 200 }));
    await expect(createProjectsApi("", fetch).getProject(1)).rejects.toMatchObject({ code: "bad_response" });
  });

  it("sends the load balancer's session cookie to its own origin only", async () => {
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => jsonResponse(200, { id: 1 }));
    await createProjectsApi("", fetch).getProject(1);
    expect(fetch.mock.calls[0][1]).toMatchObject({ credentials: "same-origin" });
  });

  it("on a 401 (the ALB's own HTML page) starts sign-in again and says so", async () => {
    const fetch = vi.fn(async () => new Response("<html>401 Authorization Required</html>", { status: 401 }));
    const onUnauthenticated = vi.fn(() => true);
    const error = await createProjectsApi("", fetch, { onUnauthenticated }).createProject({ name: "A" }).catch((e) => e);
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    expect(error).toMatchObject({ status: 401, code: "unauthenticated", message: SIGNING_IN_AGAIN });
  });

  it("on a 401 right after signing in again, asks the user to reload instead of looping", async () => {
    const fetch = vi.fn(async () => new Response("", { status: 401 }));
    const error = await createProjectsApi("", fetch, { onUnauthenticated: () => false }).getProject(1).catch((e) => e);
    expect(error).toMatchObject({ status: 401, message: STILL_SIGNED_OUT });
  });

  it("explains a 403 from the API as: only the owner can change this", async () => {
    const fetch = vi.fn(async () =>
      jsonResponse(403, { error: { code: "forbidden", message: "only the owner of project 4 may change it", field: null } }),
    );
    const onUnauthenticated = vi.fn(() => true);
    const error = await createProjectsApi("", fetch, { onUnauthenticated }).deleteProject(4).catch((e) => e);
    expect(error).toMatchObject({ status: 403, code: "forbidden", message: OWNER_ONLY });
    expect(onUnauthenticated).not.toHaveBeenCalled();
  });

  it("when signing in again did not help, shows the API's own 401 reason", async () => {
    const reason = "authentication required: token has expired";
    const fetch = vi.fn(async () => jsonResponse(401, { error: { code: "unauthenticated", message: reason, field: "x-amzn-oidc-data" } }));
    const error = await createProjectsApi("", fetch, { onUnauthenticated: () => false }).me().catch((e) => e);
    expect(error).toMatchObject({ status: 401, code: "unauthenticated", message: stillSignedOutBecause(reason) });
    expect(error.message).toContain(reason);
  });
});
