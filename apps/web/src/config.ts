/** Runtime configuration: read from window.__INNOVATE_CONFIG__, which /config.js sets. */

export interface RuntimeConfig {
  /** Origin (and optional path prefix) of the API; "" means the page's own origin. */
  apiBaseUrl: string;
}

declare global {
  interface Window {
    __INNOVATE_CONFIG__?: Partial<RuntimeConfig>;
  }
}

/** The runtime configuration, with a missing or malformed value falling back to same origin. */
export function readRuntimeConfig(
  source: Pick<Window, "__INNOVATE_CONFIG__"> = window,
): RuntimeConfig {
  const raw = source.__INNOVATE_CONFIG__?.apiBaseUrl;
  const apiBaseUrl = typeof raw === "string" ? raw.trim().replace(/\/+$/, "") : "";
  return { apiBaseUrl };
}
