/** A typed client for the projects API; every failure becomes an ApiError. */
import { ApiError, errorFromResponse, stillSignedOut, unauthenticated } from "./errors";
import type { Id, Item, Me, Page, Project, ProjectInput } from "./types";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ProjectsApi {
  me(): Promise<Me>;
  listProjects(limit: number, offset: number): Promise<Page<Project>>;
  getProject(id: Id): Promise<Project>;
  createProject(input: ProjectInput): Promise<Project>;
  updateProject(id: Id, input: Partial<ProjectInput>): Promise<Project>;
  deleteProject(id: Id): Promise<void>;
  listItems(projectId: Id): Promise<Item[]>;
  createItem(projectId: Id, title: string): Promise<Item>;
  updateItem(projectId: Id, itemId: Id, changes: Partial<Pick<Item, "title" | "done">>): Promise<Item>;
  deleteItem(projectId: Id, itemId: Id): Promise<void>;
}

/** The API's largest page; a project's checklist is expected to fit on one. */
export const ITEMS_LIMIT = 100;

const seg = (id: Id) => encodeURIComponent(String(id));

export interface ClientOptions {
  /** Called on a 401 (the session at the load balancer expired); true if sign-in was started. */
  onUnauthenticated?: () => boolean;
}

/**
 * The API client for `baseUrl` ("" = same origin); `fetchImpl` is injectable for tests. Requests
 * carry cookies to the same origin only (the ALB's session cookie; never to another origin).
 */
export function createProjectsApi(baseUrl: string, fetchImpl?: FetchLike, options: ClientOptions = {}): ProjectsApi {
  const doFetch: FetchLike = fetchImpl ?? ((input, init) => fetch(input, init));
  const root = `${baseUrl.replace(/\/+$/, "")}/api/v1`;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${root}${path}`;
    const init: RequestInit = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers = { ...init.headers, "Content-Type": "application/json" };
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(0, "network_error", `Cannot reach the API (${reason}).`);
    }
    if (response.status === 401) {
      throw (options.onUnauthenticated?.() ?? false) ? unauthenticated(true) : await stillSignedOut(response);
    }
    if (!response.ok) throw await errorFromResponse(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(response.status, "bad_response", "The API answered with something that is not JSON.");
    }
  }

  return {
    me: () => request("GET", "/me"),
    listProjects: (limit, offset) =>
      request("GET", `/projects?limit=${encodeURIComponent(limit)}&offset=${encodeURIComponent(offset)}`),
    getProject: (id) => request("GET", `/projects/${seg(id)}`),
    createProject: (input) => request("POST", "/projects", input),
    updateProject: (id, input) => request("PATCH", `/projects/${seg(id)}`, input),
    deleteProject: (id) => request("DELETE", `/projects/${seg(id)}`),
    listItems: async (projectId) => {
      const page = await request<Page<Item> | Item[]>("GET", `/projects/${seg(projectId)}/items?limit=${ITEMS_LIMIT}`);
      return Array.isArray(page) ? page : page.items;
    },
    createItem: (projectId, title) => request("POST", `/projects/${seg(projectId)}/items`, { title }),
    updateItem: (projectId, itemId, changes) =>
      request("PATCH", `/projects/${seg(projectId)}/items/${seg(itemId)}`, changes),
    deleteItem: (projectId, itemId) => request("DELETE", `/projects/${seg(projectId)}/items/${seg(itemId)}`),
  };
}
