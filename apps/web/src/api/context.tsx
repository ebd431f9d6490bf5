/** Makes the ProjectsApi available to components (tests provide a client on a mocked fetch). */
import { createContext, useContext, type ReactNode } from "react";
import type { ProjectsApi } from "./client";

const ApiContext = createContext<ProjectsApi | null>(null);

export function ApiProvider({ api, children }: { api: ProjectsApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): ProjectsApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi() needs an <ApiProvider> above it");
  return api;
}
