/** The create/edit form for a project's name and description. */
import { useId, useState, type FormEvent } from "react";
import { asApiError, type ApiError } from "../api/errors";
import type { ProjectInput } from "../api/types";
import { ErrorAlert } from "./ErrorAlert";

interface ProjectFormProps {
  /** Accessible name of the form, e.g. "New project". */
  title: string;
  submitLabel: string;
  initial?: ProjectInput;
  /** Clear the fields after a successful submit (create), keep them (edit). */
  resetOnSuccess?: boolean;
  onSubmit(input: ProjectInput): Promise<unknown>;
  onCancel?(): void;
}

export function ProjectForm({ title, submitLabel, initial, resetOnSuccess, onSubmit, onCancel }: ProjectFormProps) {
  const [name, setName] = useState(initial?.name ?? "");
  const [description, setDescription] = useState(initial?.description ?? "");
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const uid = useId();
  const errorId = `${uid}-error`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await onSubmit({ name: name.trim(), description: description.trim() || null });
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

  const invalid = (field: string) => (error?.field === field ? { "aria-invalid": true, "aria-describedby": errorId } : {});

  return (
    <form aria-label={title} onSubmit={submit} className="project-form">
      <h2>{title}</h2>
      <label htmlFor={`${uid}-name`}>Name</label>
      <input
        id={`${uid}-name`}
        name="name"
        value={name}
        required
        maxLength={100}
        onChange={(e) => setName(e.target.value)}
        {...invalid("name")}
      />
      <label htmlFor={`${uid}-description`}>Description</label>
      <textarea
        id={`${uid}-description`}
        name="description"
        value={description}
        rows={2}
        maxLength={2000}
        onChange={(e) => setDescription(e.target.value)}
        {...invalid("description")}
      />
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
