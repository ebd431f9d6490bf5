/** A project's to-do items: list, add, toggle done. */
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { useApi } from "../api/context";
import { ApiError, asApiError } from "../api/errors";
import { normalise, textProblem } from "../text";
import type { Id, Item } from "../api/types";
import { ErrorAlert } from "./ErrorAlert";

export function ProjectItems({ projectId }: { projectId: Id }) {
  const api = useApi();
  const [items, setItems] = useState<Item[] | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [title, setTitle] = useState("");
  const [adding, setAdding] = useState(false);
  const uid = useId();

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setItems(await api.listItems(projectId));
    } catch (caught) {
      setLoadError(asApiError(caught));
    }
  }, [api, projectId]);

  useEffect(() => {
    void load();
  }, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    const problem = textProblem("Item title", title, 200);
    if (problem) {
      setActionError(new ApiError(0, "invalid_input", problem, "title"));
      return;
    }
    setAdding(true);
    setActionError(null);
    try {
      const item = await api.createItem(projectId, normalise(title));
      setItems((current) => [...(current ?? []), item]);
      setTitle("");
    } catch (caught) {
      setActionError(asApiError(caught));
    } finally {
      setAdding(false);
    }
  }

  const replace = (id: Id, next: Item) =>
    setItems((current) => (current ?? []).map((it) => (it.id === id ? next : it)));

  /** Ticks the box at once (optimistic) and puts it back if the API refuses. */
  async function toggle(item: Item) {
    setActionError(null);
    replace(item.id, { ...item, done: !item.done });
    try {
      replace(item.id, await api.updateItem(projectId, item.id, { done: !item.done }));
    } catch (caught) {
      replace(item.id, item);
      setActionError(asApiError(caught));
    }
  }

  return (
    <section aria-labelledby={`${uid}-heading`} className="project-items">
      <h3 id={`${uid}-heading`}>Items</h3>
      {items === null && !loadError && <p role="status">Loading items…</p>}
      <ErrorAlert error={loadError} />
      {items && items.length === 0 && <p>No items yet.</p>}
      {items && items.length > 0 && (
        <ul aria-label="Items">
          {items.map((item) => (
            <li key={item.id} className={item.done ? "done" : undefined}>
              <label>
                <input type="checkbox" checked={item.done} onChange={() => void toggle(item)} /> {item.title}
              </label>
            </li>
          ))}
        </ul>
      )}
      <form aria-label="Add item" onSubmit={add} className="item-form">
        <label htmlFor={`${uid}-title`}>Item title</label>
        <input
          id={`${uid}-title`}
          name="title"
          value={title}
          required
          onChange={(e) => {
            setTitle(e.target.value);
            setActionError(null);
          }}
        />
        <button type="submit" disabled={adding}>
          {adding ? "Adding…" : "Add item"}
        </button>
      </form>
      <ErrorAlert error={actionError} />
    </section>
  );
}
