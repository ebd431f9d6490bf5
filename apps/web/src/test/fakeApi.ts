/** An in-memory stand-in for the projects API behind a fetch function, for component tests. */
import type { Item, Project } from "../api/types";

interface Call {
  method: string;
  url: string;
  body: unknown;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const fail = (status: number, code: string, message: string, field: string | null = null) =>
  json(status, { error: { code, message, field } });

/** A fake server: `fetch` answers like the real API; `calls` records every request. */
export function fakeProjectsServer(seed: string[] = []) {
  const projects: Project[] = [];
  const items = new Map<number, Item[]>();
  const calls: Call[] = [];
  let nextId = 1;
  const now = () => new Date(Date.UTC(2026, 0, 1)).toISOString();

  function addProject(name: string, description: string | null = null): Project {
    const project = { id: nextId++, name, description, created_at: now(), updated_at: now() };
    projects.push(project);
    items.set(project.id, []);
    return project;
  }
  seed.forEach((name) => addProject(name));

  async function fetch(input: string, init: RequestInit = {}): Promise<Response> {
    const method = (init.method ?? "GET").toUpperCase();
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, url: input, body });
    const url = new URL(input, "http://web.test");
    const parts = url.pathname.replace(/^\/api\/v1\//, "").split("/");
    const project = parts[1] ? projects.find((p) => p.id === Number(parts[1])) : undefined;
    if (parts[1] && !project) return fail(404, "not_found", "Project not found.");

    if (parts[0] === "me" && method === "GET") return json(200, { sub: "tester-sub", email: "tester@example.com" });
    if (parts.length === 1 && method === "GET") {
      const limit = Number(url.searchParams.get("limit") ?? 20);
      const offset = Number(url.searchParams.get("offset") ?? 0);
      return json(200, { items: projects.slice(offset, offset + limit), total: projects.length, limit, offset });
    }
    if (parts.length === 1 && method === "POST") {
      if (!body?.name) return fail(400, "validation_error", "name is required.", "name");
      if (projects.some((p) => p.name === body.name))
        return fail(409, "conflict", `A project named ${JSON.stringify(body.name)} already exists.`, "name");
      return json(201, addProject(body.name, body.description ?? null));
    }
    if (parts.length === 2 && project) {
      if (method === "GET") return json(200, project);
      if (method === "PATCH") {
        Object.assign(project, body);
        return json(200, project);
      }
      if (method === "DELETE") {
        projects.splice(projects.indexOf(project), 1);
        return new Response(null, { status: 204 });
      }
    }
    if (parts[2] === "items" && project) {
      const list = items.get(project.id as number)!;
      if (parts.length === 3 && method === "GET") return json(200, { items: list, total: list.length, limit: 100, offset: 0 });
      if (parts.length === 3 && method === "POST") {
        const item = { id: nextId++, title: body.title, done: false };
        list.push(item);
        return json(201, item);
      }
      const item = list.find((it) => it.id === Number(parts[3]));
      if (item && method === "PATCH") return json(200, Object.assign(item, body));
    }
    return fail(405, "method_not_allowed", `${method} ${url.pathname} is not supported.`);
  }

  return { fetch, calls, projects, items, addProject };
}
