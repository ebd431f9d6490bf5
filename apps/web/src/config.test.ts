import { describe, expect, it } from "vitest";
import { readRuntimeConfig } from "./config";

describe("readRuntimeConfig", () => {
  it("uses the API base URL that /config.js set, without a trailing slash", () => {
    expect(readRuntimeConfig({ __INNOVATE_CONFIG__: { apiBaseUrl: " https://api.example.com/ " } })).toEqual({
      apiBaseUrl: "https://api.example.com",
    });
  });

  it("falls back to the page's own origin when config.js is missing or malformed", () => {
    expect(readRuntimeConfig({})).toEqual({ apiBaseUrl: "" });
    expect(readRuntimeConfig({ __INNOVATE_CONFIG__: { apiBaseUrl: 42 as unknown as string } })).toEqual({
      apiBaseUrl: "",
    });
  });

  it("reads window.__INNOVATE_CONFIG__ by default", () => {
    window.__INNOVATE_CONFIG__ = { apiBaseUrl: "http://127.0.0.1:5000" };
    try {
      expect(readRuntimeConfig().apiBaseUrl).toBe("http://127.0.0.1:5000");
    } finally {
      delete window.__INNOVATE_CONFIG__;
    }
  });
});
