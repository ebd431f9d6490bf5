// Development default: the API on the same origin. The container replaces this file at start
// with one generated from API_BASE_URL (see docker/entrypoint.sh).
window.__INNOVATE_CONFIG__ = { apiBaseUrl: "" };
