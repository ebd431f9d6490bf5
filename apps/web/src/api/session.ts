/**
 * Behind the ALB, the session is the load balancer's cookie. When it expires, `/api` answers 401
 * (the ALB's `deny` action) and the page has to go through sign-in again: a full navigation to
 * the current URL, which the ALB's `authenticate` action redirects to the IdP and back here.
 * If the API still answers 401 right after that, navigating again would loop: the guard lets one
 * sign-in attempt through per RETRY_GUARD_MS and otherwise leaves the error on the page.
 * Before navigating, open forms' unsaved input is kept in sessionStorage (drafts.ts).
 */

import { keepDrafts } from "../drafts";

export const RETRY_GUARD_MS = 60_000;
export const SIGN_IN_AGAIN_KEY = "innovate.signInAgainAt";

export type SignInWindow = {
  location: Pick<Location, "assign" | "href">;
  sessionStorage: Pick<Storage, "getItem" | "setItem">;
};

/** Pages already navigating away: several requests failing at once start one navigation. */
const navigating = new WeakSet<object>();

/** Starts sign-in again unless one was started within RETRY_GUARD_MS; true if it is under way. */
export function signInAgain(win: SignInWindow, now: number = Date.now()): boolean {
  if (navigating.has(win.location)) return true;
  try {
    const last = Number(win.sessionStorage.getItem(SIGN_IN_AGAIN_KEY) ?? "0");
    if (Number.isFinite(last) && now - last >= 0 && now - last < RETRY_GUARD_MS) return false;
    win.sessionStorage.setItem(SIGN_IN_AGAIN_KEY, String(now));
  } catch {
    return false; // without storage there is no loop guard: leave the error on the page
  }
  navigating.add(win.location);
  keepDrafts(win.sessionStorage);
  win.location.assign(win.location.href.split("#")[0]); // with a #fragment it would not load the page
  return true;
}
