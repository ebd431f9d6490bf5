// Drives the web app behind the ALB stand-in in headless Chromium (playwright-core, Debian's
// /usr/bin/chromium): alice is sent to sign in, signs in and creates a project; bob, in a second
// browser context (his own cookies), sees it but may not rename or delete it; alice's session
// then ends (cookie gone, as after expiry) and her next write takes her through sign-in again,
// back to the page she was on with her unsaved rename restored and a notice that it was not
// saved; a second 401 right after that does not loop.
// Prints one JSON line with what it saw.
//
// Env: EDGE_URL (required: the stand-in's origin), PROJECT_NAME, SHOTS (directory for PNGs),
// CHROMIUM (binary, default /usr/bin/chromium).
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(new URL("../../apps/web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const edge = process.env.EDGE_URL?.replace(/\/$/, "");
if (!edge) {
  console.error("sign_in.mjs: set EDGE_URL to the ALB stand-in's address");
  process.exit(2);
}
const name = process.env.PROJECT_NAME ?? "Edge launch";
const shots = process.env.SHOTS;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const seen = { consoleErrors: [], failedRequests: [], steps: [] };
const started = Date.now();
const step = (label) => seen.steps.push({ label, ms: Date.now() - started });
const path = (page) => new URL(page.url()).pathname + new URL(page.url()).search;
const text = async (locator) => (await locator.innerText()).replace(/\s+/g, " ").trim();

async function shoot(page, file) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${file}.png`), fullPage: true });
}

async function watch(page) {
  page.setDefaultTimeout(10_000);
  page.on("console", (msg) => msg.type() === "error" && seen.consoleErrors.push(msg.text()));
  page.on("pageerror", (err) => seen.consoleErrors.push(String(err)));
  page.on("requestfailed", (req) => seen.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  return page;
}

async function listLoaded(page) {
  await page.getByRole("heading", { name: "Projects", exact: true }).waitFor();
  await page.getByRole("status").filter({ hasText: "Loading projects" }).waitFor({ state: "detached" });
}

/** On the stand-in's sign-in page: sign in as `user` and wait to be back in the app. */
async function signIn(page, user) {
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("Username").fill(user);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith("/_standin_idp/")), page.getByRole("button", { name: "Sign in" }).click()]);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ARGS, timeout: 20_000,
});
try {
  // alice: anonymous, so the load balancer sends her to sign in first.
  const aliceContext = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const alice = await watch(await aliceContext.newPage());
  await alice.goto(`${edge}/`, { waitUntil: "domcontentloaded" });
  seen.anonymousLandedOn = new URL(alice.url()).pathname;
  await shoot(alice, "sign-in");
  await signIn(alice, "alice");
  await listLoaded(alice);
  seen.aliceBackAt = path(alice);
  seen.aliceSignedInAs = await text(alice.locator(".signed-in"));
  seen.aliceCookies = (await aliceContext.cookies()).map((c) => ({ name: c.name, httpOnly: c.httpOnly }));
  step("alice signed in");

  const newForm = alice.getByRole("form", { name: "New project" });
  await newForm.getByLabel("Name").fill(name);
  await newForm.getByRole("button", { name: "Create project" }).click();
  await alice.getByText(`Created ${name}.`).waitFor();
  await alice.getByRole("button", { name: `Open ${name}`, exact: true }).click();
  await alice.getByRole("heading", { name, exact: true }).waitFor();
  seen.aliceProjectUrl = path(alice);
  seen.ownerShown = await text(alice.locator(".project-owner"));
  step("alice created a project");

  // bob: his own browser context, his own sign-in; he may read but not change alice's project.
  const bobContext = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const bob = await watch(await bobContext.newPage());
  await bob.goto(`${edge}${seen.aliceProjectUrl}`, { waitUntil: "domcontentloaded" });
  await signIn(bob, "bob");
  await bob.getByRole("heading", { name, exact: true }).waitFor();
  seen.bobBackAt = path(bob);
  seen.bobSignedInAs = await text(bob.locator(".signed-in"));
  await bob.getByRole("button", { name: "Edit project" }).click();
  const editForm = bob.getByRole("form", { name: "Edit project" });
  await editForm.getByLabel("Name").fill("Bob's now");
  await editForm.getByRole("button", { name: "Save changes" }).click();
  seen.bobRenameError = await text(editForm.getByRole("alert"));
  await shoot(bob, "not-the-owner");
  await bob.getByRole("button", { name: /Back to projects/ }).click();
  await listLoaded(bob);
  await bob.getByRole("button", { name: `Delete ${name}`, exact: true }).click();
  await bob.getByRole("button", { name: `Confirm delete ${name}`, exact: true }).click();
  seen.bobDeleteError = await text(bob.getByRole("alert"));
  seen.bobListedNames = await bob.getByRole("list", { name: "Projects" }).locator(".project-name").allTextContents();
  step("bob refused");

  // alice's session ends; her next write sends her through sign-in and back to this page.
  await aliceContext.clearCookies();
  await alice.getByRole("button", { name: "Edit project" }).click();
  const aliceEdit = alice.getByRole("form", { name: "Edit project" });
  await aliceEdit.getByLabel("Name").fill(`${name} v2`);
  await aliceEdit.getByRole("button", { name: "Save changes" }).click();
  await alice.waitForURL((url) => url.pathname.startsWith("/_standin_idp/"));
  seen.expiredWentTo = new URL(alice.url()).pathname;
  await signIn(alice, "alice");
  await alice.getByRole("heading", { name, exact: true }).waitFor();
  seen.aliceReturnedTo = path(alice);
  // The rename she typed was not saved: the form is open again with it, and says so.
  await aliceEdit.waitFor();
  seen.draftNotice = await text(aliceEdit.getByRole("status"));
  seen.draftName = await aliceEdit.getByLabel("Name").inputValue();
  await shoot(alice, "draft-restored");
  step("alice signed in again");

  // Signed out again at once: the app does not navigate again (no loop) and says what to do.
  await aliceContext.clearCookies();
  await aliceEdit.getByLabel("Name").fill(`${name} v3`);
  await aliceEdit.getByRole("button", { name: "Save changes" }).click();
  seen.secondExpiryMessage = await text(aliceEdit.getByRole("alert"));
  seen.secondExpiryUrl = path(alice);
  await shoot(alice, "still-signed-out");
  step("no loop");
  seen.ok = true;
} catch (error) {
  seen.ok = false;
  seen.error = String(error?.message ?? error).split("\n").slice(0, 6).join("\n");
} finally {
  await browser.close();
}
seen.totalMs = Date.now() - started;
process.stdout.write(JSON.stringify(seen) + "\n");
process.exit(seen.ok ? 0 : 1);
