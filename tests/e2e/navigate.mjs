// Drives the built web app in headless Chromium (playwright-core, Debian's /usr/bin/chromium)
// through navigation and layout: URLs per view, Back/Forward/reload, a 100-character unbroken
// name, an error that clears on input, and the layout at desktop and phone (390 px) widths.
// Prints one JSON line with what it saw.
//
// Env: WEB_URL (required), LONG_NAME (a seeded project's name), TAKEN_NAME (another seeded
// name), SHOTS (directory for PNGs), CHROMIUM (binary, default /usr/bin/chromium).
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(new URL("../../apps/web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const webUrl = process.env.WEB_URL?.replace(/\/$/, "");
if (!webUrl) {
  console.error("navigate.mjs: set WEB_URL to the web app's address");
  process.exit(2);
}
const longName = process.env.LONG_NAME;
const takenName = process.env.TAKEN_NAME;
const shots = process.env.SHOTS;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const seen = { consoleErrors: [], failedRequests: [], urls: {}, overflow: {}, shots: {} };
const path = (page) => new URL(page.url()).pathname + new URL(page.url()).search;

/** Horizontal overflow: the page wider than the viewport, or any element sticking out of it. */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const sticking = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, sticking: sticking.slice(0, 5) };
  });
}

async function shoot(page, name) {
  mkdirSync(shots, { recursive: true });
  const file = join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  seen.shots[name] = file;
}

async function listLoaded(page) {
  await page.getByRole("heading", { name: "Projects", exact: true }).waitFor();
  await page.getByRole("status").filter({ hasText: "Loading projects" }).waitFor({ state: "detached" });
}

const userDataDir = mkdtempSync(join(tmpdir(), "innovate-nav-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ARGS,
  viewport: { width: 1280, height: 900 }, timeout: 20_000,
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on("console", (msg) => msg.type() === "error" && seen.consoleErrors.push(msg.text()));
  page.on("pageerror", (err) => seen.consoleErrors.push(String(err)));
  page.on("requestfailed", (req) => seen.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));

  // Desktop: the list, page 2, a project, Back, Forward, reload.
  await page.goto(`${webUrl}/`, { waitUntil: "domcontentloaded" });
  await listLoaded(page);
  seen.urls.start = path(page);
  seen.longNameTitle = await page.locator(".project-name", { hasText: longName }).getAttribute("title");
  seen.overflow.desktopList = await overflow(page);
  await shoot(page, "desktop-list");

  await page.getByRole("button", { name: "Next" }).click();
  await page.waitForURL((url) => url.search === "?page=2");
  await listLoaded(page);
  seen.urls.page2 = path(page);
  seen.page2Pager = await page.getByRole("navigation", { name: "Pagination" }).innerText();
  const onPage2 = (await page.locator(".project-name").allTextContents())[0];
  await page.getByRole("button", { name: `Open ${onPage2}`, exact: true }).click();
  await page.getByRole("heading", { name: onPage2, exact: true }).waitFor();
  seen.urls.project = path(page);

  await page.goBack();
  await listLoaded(page);
  await page.getByRole("button", { name: `Open ${onPage2}`, exact: true }).waitFor();
  seen.urls.afterBack = path(page);
  seen.pagerAfterBack = await page.getByRole("navigation", { name: "Pagination" }).innerText();
  await page.goForward();
  await page.getByRole("heading", { name: onPage2, exact: true }).waitFor();
  seen.urls.afterForward = path(page);
  await page.reload({ waitUntil: "domcontentloaded" });
  await page.getByRole("heading", { name: onPage2, exact: true }).waitFor();
  seen.urls.afterReload = path(page);
  seen.headingAfterReload = await page.getByRole("heading", { level: 2 }).first().innerText();

  // The long, unbroken name: its own page shows all of it without widening the page.
  await page.goto(`${webUrl}/`, { waitUntil: "domcontentloaded" });
  await listLoaded(page);
  await page.getByRole("button", { name: `Open ${longName}`, exact: true }).click();
  await page.getByRole("heading", { name: longName, exact: true }).waitFor();
  seen.longHeading = await page.getByRole("heading", { name: longName, exact: true }).innerText();
  seen.overflow.desktopProject = await overflow(page);
  await shoot(page, "desktop-project");
  await page.goBack();
  await listLoaded(page);

  // An error clears when the input changes.
  const form = page.getByRole("form", { name: "New project" });
  await form.getByLabel("Name").fill(takenName);
  await form.getByRole("button", { name: "Create project" }).click();
  seen.conflict = (await form.getByRole("alert").innerText()).replace(/\s+/g, " ");
  await form.getByLabel("Name").press("End");
  await form.getByLabel("Name").pressSequentially("!");
  seen.alertsAfterTyping = await form.getByRole("alert").count();
  seen.invalidAfterTyping = await form.getByLabel("Name").getAttribute("aria-invalid");

  // Phone width: the same views hold at 390 px.
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${webUrl}/`, { waitUntil: "domcontentloaded" });
  await listLoaded(phone);
  seen.overflow.phoneList = await overflow(phone);
  await shoot(phone, "phone-list");
  await phone.getByRole("button", { name: `Open ${longName}`, exact: true }).click();
  await phone.getByRole("heading", { name: longName, exact: true }).waitFor();
  seen.overflow.phoneProject = await overflow(phone);
  await shoot(phone, "phone-project");
  seen.ok = true;
} catch (error) {
  seen.ok = false;
  seen.error = String(error?.message ?? error).split("\n").slice(0, 6).join("\n");
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(seen) + "\n");
process.exit(seen.ok ? 0 : 1);
