import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";

afterEach(() => cleanup());

// Each test starts on the app's first URL (the app keeps its view in the address bar).
beforeEach(() => window.history.replaceState(null, "", "/"));
