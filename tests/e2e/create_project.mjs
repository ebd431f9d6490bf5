// Drives the real web UI in headless Chromium (playwright-core, Debian's /usr/bin/chromium):
// create a project, add and tick an item, rename it, see it in the list, then try a duplicate
// name and read the API's error on the page. Prints one JSON line with what it saw.
//
// Env: WEB_URL (required), PROJECT_NAME, RENAMED_NAME, ITEM_TITLE, SCREENSHOT and
// DETAIL_SCREENSHOT (PNG paths), CHROMIUM (binary, default /usr/bin/chromium).
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(new URL("../../apps/web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const webUrl = process.env.WEB_URL;
if (!webUrl) {
  console.error("create_project.mjs: set WEB_URL to the web app's address");
  process.exit(2);
}
const name = process.env.PROJECT_NAME ?? "Launch website";
const renamed = process.env.RENAMED_NAME ?? `${name} v2`;
const itemTitle = process.env.ITEM_TITLE ?? "Write the launch plan";
const screenshot = process.env.SCREENSHOT;
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function shoot(page, path) {
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}

const userDataDir = mkdtempSync(join(tmpdir(), "innovate-e2e-chromium-"));
const seen = { consoleErrors: [], failedRequests: [], steps: [] };
const started = Date.now();
const step = (label) => seen.steps.push({ label, ms: Date.now() - started });

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: CHROMIUM_ARGS,
  viewport: { width: 1100, height: 900 },
  timeout: 20_000,
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on("console", (msg) => msg.type() === "error" && seen.consoleErrors.push(msg.text()));
  page.on("requestfailed", (req) => seen.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  page.on("pageerror", (err) => seen.consoleErrors.push(String(err)));

  await page.goto(webUrl, { waitUntil: "domcontentloaded" });
  await page.getByRole("heading", { name: "Projects", exact: true }).waitFor();
  await page.getByRole("status").filter({ hasText: "Loading projects" }).waitFor({ state: "detached" });
  seen.apiBaseUrl = await page.evaluate(() => window.__INNOVATE_CONFIG__?.apiBaseUrl ?? null);
  step("list loaded");

  const newForm = page.getByRole("form", { name: "New project" });
  await newForm.getByLabel("Name").fill(name);
  await newForm.getByLabel("Description").fill("Public launch of the new website");
  await newForm.getByRole("button", { name: "Create project" }).click();
  await page.getByText(`Created ${name}.`).waitFor();
  await page.getByRole("button", { name: `Open ${name}`, exact: true }).click();
  await page.getByRole("heading", { name, exact: true }).waitFor();
  step("project created");

  await page.getByLabel("Item title").fill(itemTitle);
  await page.getByRole("button", { name: "Add item" }).click();
  const checkbox = page.getByRole("checkbox", { name: itemTitle });
  await checkbox.waitFor();
  await checkbox.check();
  await page.waitForFunction(
    (title) => [...document.querySelectorAll("li.done")].some((li) => li.textContent?.includes(title)),
    itemTitle,
  );
  seen.itemChecked = await checkbox.isChecked();
  step("item added and ticked");
  await shoot(page, process.env.DETAIL_SCREENSHOT);

  await page.getByRole("button", { name: "Edit project" }).click();
  const editForm = page.getByRole("form", { name: "Edit project" });
  await editForm.getByLabel("Name").fill(renamed);
  await editForm.getByLabel("Description").fill("Public launch, second pass");
  await editForm.getByRole("button", { name: "Save changes" }).click();
  await page.getByRole("heading", { name: renamed, exact: true }).waitFor();
  step("project renamed");

  await page.getByRole("button", { name: /Back to projects/ }).click();
  const list = page.getByRole("list", { name: "Projects" });
  await list.getByRole("button", { name: `Open ${renamed}`, exact: true }).waitFor();
  seen.listedNames = await list.locator(".project-name").allTextContents();
  seen.pager = await page.getByRole("navigation", { name: "Pagination" }).innerText();
  step("listed");

  // Error state: the API refuses a second project with the same name (409, field "name").
  await newForm.getByLabel("Name").fill(renamed);
  await newForm.getByRole("button", { name: "Create project" }).click();
  const alert = newForm.getByRole("alert");
  await alert.waitFor();
  seen.duplicateError = (await alert.innerText()).replace(/\s+/g, " ").trim();
  seen.duplicateNameInvalid = await newForm.getByLabel("Name").getAttribute("aria-invalid");
  step("duplicate refused");

  await shoot(page, screenshot);
  seen.ok = true;
} catch (error) {
  seen.ok = false;
  seen.error = String(error?.message ?? error).split("\n").slice(0, 6).join("\n");
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
seen.totalMs = Date.now() - started;
process.stdout.write(JSON.stringify(seen) + "\n");
process.exit(seen.ok ? 0 : 1);
