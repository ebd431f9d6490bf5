/** The create/edit form for a project's name and description. */
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiError, asApiError } from "../api/errors";
import type { ProjectInput } from "../api/types";
import { length, NAME_RULES, normalise, textProblem } from "../text";
import { DRAFT_NOT_SAVED, forgetDraft, readDraft, trackDraft } from "../drafts";
import { ErrorAlert } from "./ErrorAlert";

export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 2000;

/** The first rule the input breaks, as the error the form shows (no request is sent). */
function localProblem(name: string, description: string): ApiError | null {
  const nameProblem = textProblem("Name", name, NAME_MAX);
  if (nameProblem) return new ApiError(0, "invalid_input", nameProblem, "name");
  const descriptionProblem = textProblem("Description", description, DESCRIPTION_MAX, true);
  if (descriptionProblem) return new ApiError(0, "invalid_input", descriptionProblem, "description");
  return null;
}

interface ProjectFormProps {
  /** Accessible name of the form, e.g. "New project". */
  title: string;
  submitLabel: string;
  initial?: ProjectInput;
  /** Clear the fields after a successful submit (create), keep them (edit). */
  resetOnSuccess?: boolean;
  onSubmit(input: ProjectInput): Promise<unknown>;
  onCancel?(): void;
  /** Names this form on its page (drafts.ts): unsaved input is kept across signing in again. */
  draftKey?: string;
}

export function ProjectForm({ title, submitLabel, initial, resetOnSuccess, onSubmit, onCancel, draftKey }: ProjectFormProps) {
  const [restored] = useState(() => (draftKey ? readDraft(draftKey) : null));
  const [name, setName] = useState(restored?.name ?? initial?.name ?? "");
  const [description, setDescription] = useState(restored?.description ?? initial?.description ?? "");
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [draftNotice, setDraftNotice] = useState(restored ? DRAFT_NOT_SAVED : "");
  const uid = useId();
  const errorId = `${uid}-error`;
  const held = useRef({ name, description });
  held.current = { name, description };

  useEffect(() => {
    if (!draftKey) return undefined;
    forgetDraft(draftKey); // shown again now; kept anew only if sign-in is needed again
    const start = { name: initial?.name ?? "", description: initial?.description ?? "" };
    return trackDraft(draftKey, () => {
      const now = held.current;
      return now.name !== start.name || now.description !== start.description ? { ...now } : null;
    });
  }, [draftKey]); // compared with the form's starting values, those of its first render

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = localProblem(name, description);
    if (problem) {
      setError(problem);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await onSubmit({ name: normalise(name), description: normalise(description) || null });
      setDraftNotice("");
      if (resetOnSuccess) {
        setName("");
        setDescription("");
      }
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setSaving(false);
    }
  }

  const invalid = (field: string) =>
    error?.field === field ? { "aria-invalid": true, "aria-describedby": `${errorId} ${uid}-${field}-hint` } : {};
  /** A changed field makes the last error stale: clear it. */
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setError(null);
  };
  const nameLength = length(normalise(name));

  return (
    <form aria-label={title} onSubmit={submit} className="project-form">
      <h2>{title}</h2>
      {draftNotice && (
        <p role="status" className="notice draft-notice">
          {draftNotice}
        </p>
      )}
      <label htmlFor={`${uid}-name`}>Name</label>
      <input
        id={`${uid}-name`}
        name="name"
        value={name}
        required
        aria-describedby={`${uid}-name-hint`}
        onChange={(e) => edit(setName)(e.target.value)}
        {...invalid("name")}
      />
      <p id={`${uid}-name-hint`} className={`hint${nameLength > NAME_MAX ? " over" : ""}`}>
        {NAME_RULES} <span className="counter">{nameLength}/{NAME_MAX}</span>
      </p>
      <label htmlFor={`${uid}-description`}>Description</label>
      <textarea
        id={`${uid}-description`}
        name="description"
        value={description}
        rows={2}
        aria-describedby={`${uid}-description-hint`}
        onChange={(e) => edit(setDescription)(e.target.value)}
        {...invalid("description")}
      />
      <p id={`${uid}-description-hint`} className="hint">
        Optional, up to {DESCRIPTION_MAX} characters.
      </p>
      <ErrorAlert error={error} id={errorId} />
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
