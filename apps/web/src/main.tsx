import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ApiProvider } from "./api/context";
import { createProjectsApi } from "./api/client";
import { signInAgain } from "./api/session";
import { readRuntimeConfig } from "./config";
import "./styles.css";

const { apiBaseUrl } = readRuntimeConfig();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ApiProvider api={createProjectsApi(apiBaseUrl, undefined, { onUnauthenticated: () => signInAgain(window) })}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
