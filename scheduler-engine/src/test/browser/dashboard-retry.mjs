// Drives the admin dashboard in Debian's headless Chromium, for DashboardBrowserIT:
//   node dashboard-retry.mjs <baseUrl> <orderingId> <uniquenessKey> <screenshot.png> [bearerToken]
// Loads the page, finds the FAILED task among "Failed and failing tasks", clicks its Retry button, then searches
// its ordering id until the task shows SUCCEEDED, and keeps a screenshot. Exits 0 on success; on failure prints
// why (and still writes the screenshot) and exits 1. Every wait has a deadline.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [baseUrl, orderingId, uniquenessKey, screenshot, token] = process.argv.slice(2);
if (!screenshot) {
  console.error("usage: node dashboard-retry.mjs <baseUrl> <orderingId> <uniquenessKey> <screenshot.png> [token]");
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), "scheduler-dashboard-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 1100 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const page = browser.pages()[0] ?? await browser.newPage();
const problems = [];
page.on("pageerror", (e) => problems.push("page error: " + e.message));
page.on("console", (m) => { if (m.type() === "error") console.log("browser console: " + m.text()); });

let failed = false;
try {
  await page.goto(baseUrl, { waitUntil: "domcontentloaded", timeout: 15000 });
  if (token) {
    await page.fill("#token", token);
    await page.dispatchEvent("#token", "change");
  }
  const failedRow = page.locator(`#failed-tasks tr.task[data-ordering-id="${orderingId}"]`
    + `[data-uniqueness-key="${uniquenessKey}"][data-status="FAILED"]`);
  await failedRow.waitFor({ state: "visible", timeout: 30000 });
  console.log("the failed task is listed: " + (await failedRow.innerText()).replace(/\s+/g, " "));
  await failedRow.locator("button.retry").click();
  const message = page.locator("#message").filter({ hasText: /Retry requested|retry of .* failed/ });
  await message.waitFor({ timeout: 15000 });
  const text = await message.innerText();
  if (!text.startsWith("Retry requested")) {
    throw new Error("the dashboard says: " + text);
  }
  console.log("message: " + text);

  await page.fill("#search-id", orderingId);
  const succeeded = page.locator(`#search-results tr.task[data-uniqueness-key="${uniquenessKey}"]`
    + `[data-status="SUCCEEDED"]`);
  const deadline = Date.now() + 30000;
  while (!(await succeeded.isVisible())) {
    if (Date.now() > deadline) {
      throw new Error("the task did not show SUCCEEDED within 30 s of the retry; search shows: "
        + (await page.locator("#search-results").innerText()).replace(/\s+/g, " "));
    }
    await page.click("#search-form button[type=submit]");
    await page.waitForTimeout(1000);
  }
  console.log("the task shows SUCCEEDED: " + (await succeeded.innerText()).replace(/\s+/g, " "));
  await succeeded.click(); // opens its attempt history
  await page.locator("#detail-section").waitFor({ state: "visible", timeout: 10000 });
  await page.locator("#failed-tasks").scrollIntoViewIfNeeded();
} catch (e) {
  failed = true;
  console.error("dashboard test failed: " + e.message);
} finally {
  try {
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log("screenshot: " + screenshot);
  } catch (e) {
    console.error("no screenshot: " + e.message);
  }
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
if (problems.length) {
  console.error(problems.join("\n"));
}
process.exit(failed || problems.length ? 1 : 0);
