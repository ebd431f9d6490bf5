/**
 * One URL per view, so Back, Forward, reload and shared links work:
 *   /                 the project list, page 1
 *   /?page=3          the project list, page 3
 *   /projects/42      project 42
 * The web server answers every app path with index.html (nginx.conf `try_files`).
 */
import { useEffect, useState } from "react";

import type { Id } from "./api/types";

export type Route = { view: "list"; page: number } | { view: "project"; id: Id };

const PROJECT_PATH = /^\/projects\/([1-9][0-9]{0,15})\/?$/;

/** The route of a location; anything unknown is the first page of the list. */
export function parseRoute(pathname: string, search: string): Route {
  const project = PROJECT_PATH.exec(pathname);
  if (project) return { view: "project", id: Number(project[1]) };
  const raw = new URLSearchParams(search).get("page") ?? "1";
  const page = /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : 1;
  return { view: "list", page };
}

export function routeHref(route: Route): string {
  if (route.view === "project") return `/projects/${route.id}`;
  return route.page > 1 ? `/?page=${route.page}` : "/";
}

const current = () => parseRoute(window.location.pathname, window.location.search);

/** Go to ``route``: a new history entry, or (``replace``) a correction of the current one. */
export function navigate(route: Route, { replace = false } = {}): void {
  const href = routeHref(route);
  if (href === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, "", href);
  else window.history.pushState(null, "", href);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** The current route, following Back/Forward (popstate) and navigate(). */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const update = () => setRoute(current());
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  return route;
}
