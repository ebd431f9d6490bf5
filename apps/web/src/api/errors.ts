/** An API failure as the user should see it: the server's code, message and offending field. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;

  constructor(status: number, code: string, message: string, field: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

export const SIGNING_IN_AGAIN = "Your session has expired: signing you in again…";
export const STILL_SIGNED_OUT = "You are not signed in, and signing in again just now did not help. Reload the page to retry.";
export const OWNER_ONLY = "Only the owner of this project can change it. You can still read it.";

/** A 401: the load balancer's session is gone (the ALB's own 401 page is not JSON). */
export function unauthenticated(signingIn: boolean): ApiError {
  return new ApiError(401, "unauthenticated", signingIn ? SIGNING_IN_AGAIN : STILL_SIGNED_OUT);
}

/** Signing in again did not help: the API's own reason if it gave one (JSON), else STILL_SIGNED_OUT. */
export async function stillSignedOut(response: Response): Promise<ApiError> {
  let reason: unknown;
  try {
    reason = ((await response.json()) as ErrorBody)?.error?.message;
  } catch {
    reason = undefined;
  }
  if (typeof reason !== "string" || !reason.trim()) return unauthenticated(false);
  return new ApiError(401, "unauthenticated", stillSignedOutBecause(reason.trim()));
}

export const stillSignedOutBecause = (reason: string) =>
  `Signing in again just now did not help. The API said: “${reason}”. Reload the page to retry.`;

/** Builds an ApiError from a failed response, using the JSON error envelope when present. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: ErrorBody | undefined;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = undefined;
  }
  const detail = body?.error;
  if (response.status === 403 && detail?.code === "forbidden") {
    return new ApiError(403, "forbidden", OWNER_ONLY);
  }
  if (detail && typeof detail.message === "string" && detail.message) {
    return new ApiError(
      response.status,
      typeof detail.code === "string" ? detail.code : "error",
      detail.message,
      typeof detail.field === "string" && detail.field ? detail.field : null,
    );
  }
  const statusText = response.statusText ? ` ${response.statusText}` : "";
  return new ApiError(
    response.status,
    "http_error",
    `The API answered ${response.status}${statusText}.`,
  );
}

/** Any thrown value as an ApiError, so components render one kind of error. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(0, "unexpected", message);
}
