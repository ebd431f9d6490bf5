/** Shows an API error with the server's message and, when given, the field it concerns. */
import type { ApiError } from "../api/errors";

export function ErrorAlert({ error, id }: { error: ApiError | null; id?: string }) {
  if (!error) return null;
  return (
    <div role="alert" className="error" id={id}>
      <span className="error-message">{error.message}</span>
      {error.field && (
        <span className="error-field">
          {" "}
          (field: <code>{error.field}</code>)
        </span>
      )}
    </div>
  );
}
