/**
 * Unsaved form input survives signing in again. A 401 from `/api` makes the page navigate through
 * the load balancer's sign-in (api/session.ts), which would drop whatever the user was typing.
 * Open forms register what they hold (`trackDraft`); right before that navigation `keepDrafts`
 * writes every changed one to sessionStorage (per tab, under its form's key, which names the
 * route); after sign-in the same form on the same page finds it (`readDraft`), shows it again
 * with DRAFT_NOT_SAVED and forgets it (`forgetDraft`).
 */

export const DRAFT_PREFIX = "innovate.draft:";
export const DRAFT_NOT_SAVED = "Your change was not saved because you had to sign in again: review it and save again.";

export type DraftFields = Record<string, string>;
type DraftStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** Open forms: key -> what the form holds now, or null if nothing changed. */
const open = new Map<string, () => DraftFields | null>();

/** Registers an open form; returns the function that unregisters it. */
export function trackDraft(key: string, read: () => DraftFields | null): () => void {
  open.set(key, read);
  return () => {
    if (open.get(key) === read) open.delete(key);
  };
}

/** Writes every open form's changed input to ``storage`` (called right before navigating away). */
export function keepDrafts(storage: Pick<Storage, "setItem">): void {
  for (const [key, read] of open) {
    const fields = read();
    if (!fields) continue;
    try {
      storage.setItem(DRAFT_PREFIX + key, JSON.stringify(fields));
    } catch {
      // storage full or disabled: the input is lost, as it was before
    }
  }
}

/** The kept input of form ``key``, if any (string fields only). */
export function readDraft(key: string, storage: DraftStorage | undefined = safeSessionStorage()): DraftFields | null {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(DRAFT_PREFIX + key) ?? null;
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    const entries = Object.entries(parsed as Record<string, unknown>).filter(([, v]) => typeof v === "string");
    return entries.length ? (Object.fromEntries(entries) as DraftFields) : null;
  } catch {
    return null;
  }
}

export function forgetDraft(key: string, storage: DraftStorage | undefined = safeSessionStorage()): void {
  try {
    storage?.removeItem(DRAFT_PREFIX + key);
  } catch {
    // nothing to forget without storage
  }
}

function safeSessionStorage(): DraftStorage | undefined {
  try {
    return typeof window === "undefined" ? undefined : window.sessionStorage;
  } catch {
    return undefined; // e.g. storage disabled by the browser
  }
}
