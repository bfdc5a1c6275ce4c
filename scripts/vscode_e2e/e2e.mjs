// Drives a real VS Code workbench (code-server, already serving a folder) in Debian's chromium
// the way a person would. Two scenarios:
//   quickfix (default): open models.py, wait for schema-lint's squiggle and its SL001 entry in
//     Problems, apply the quick fix with Ctrl+. and Enter, save, and wait for the squiggle to go;
//   not-found: open models.py with no server to be found, and expect exactly one notification,
//     which gives the install command.
//
//   node e2e.mjs --url URL --file /abs/models.py [--scenario quickfix|not-found]
//                [--screenshot PNG] [--artifacts DIR] [--timeout-ms 180000]
//                [--chromium /usr/bin/chromium]
//
// Every wait is for a condition, with a generous timeout. Progress goes to stderr; the last
// line on stdout is a JSON summary. Exit status 0 only when every step passed.

import { readFile, mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    scenario: { type: "string", default: "quickfix" },
    file: { type: "string" },
    screenshot: { type: "string" },
    artifacts: { type: "string" },
    "timeout-ms": { type: "string", default: "180000" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    "expect-code": { type: "string", default: "SL001" },
    "expect-fix": { type: "string", default: "UniqueConstraint" },
  },
});
if (!opts.url || !opts.file) {
  console.error("usage: node e2e.mjs --url URL --file /abs/path/models.py [--screenshot PNG]");
  process.exit(2);
}

const TIMEOUT = Number(opts["timeout-ms"]);
const CODE = opts["expect-code"];
const FIX = opts["expect-fix"];
const fileName = basename(opts.file);
const started = Date.now();
const timings = {};

function log(message) {
  console.error(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
}

function mark(step) {
  timings[step] = Date.now() - started;
  log(step);
}

/** Polls `check` until it returns a truthy value; throws with `what` after `timeout` ms. */
async function until(what, check, timeout = TIMEOUT, interval = 200) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (${last.message})` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

const browser = await chromium.launch({
  executablePath: opts.chromium,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
  ],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
const page = await context.newPage();
const consoleErrors = [];
page.on("console", (message) => {
  if (message.type() === "error") {
    consoleErrors.push(message.text());
  }
});

// The editor's text as VS Code renders it (only the visible lines, which is all of models.py).
const editor = page.locator(".editor-group-container.active .monaco-editor").first();
const editorText = async () =>
  ((await editor.locator(".view-lines").textContent()) ?? "").replace(/\u00a0/g, " ");
const squiggles = editor.locator(".squiggly-error, .squiggly-warning, .squiggly-info");
const problemRows = page.locator(".markers-panel .monaco-list-row");

async function openFile() {
  // Quick Open, as a person would.
  await until(
    "the quick open box",
    async () => {
      await page.keyboard.press("Control+P");
      return page.locator(".quick-input-widget input").isVisible();
    },
    60_000,
    1000,
  );
  await page.keyboard.type(fileName);
  await until("the file in quick open", () =>
    page.locator(".quick-input-list .monaco-list-row", { hasText: fileName }).first().isVisible(),
  );
  await page.keyboard.press("Enter");
  await until(`${fileName} in the editor`, async () => (await editorText()).includes("__tablename__"));
  mark("file opened");
}

async function quickFix() {
  await squiggles.first().waitFor({ state: "visible", timeout: TIMEOUT });
  mark("squiggle shown");

  await page.keyboard.press("Control+Shift+M");
  const problem = problemRows.filter({ hasText: CODE }).first();
  await problem.waitFor({ state: "visible", timeout: TIMEOUT });
  const problemText = ((await problem.textContent()) ?? "").trim();
  mark(`Problems lists ${CODE}: ${problemText}`);

  // Clicking the entry reveals the finding in the editor; clicking the squiggled word then puts
  // the cursor on it, with the focus in the editor, ready for Ctrl+.
  await problem.click();
  const squiggleBox = await until("the squiggle in view", async () => {
    const box = await squiggles.first().boundingBox();
    const view = await editor.locator(".view-lines").boundingBox();
    return box !== null && view !== null && box.y >= view.y && box.y + box.height <= view.y + view.height
      ? box
      : undefined;
  });
  await page.mouse.click(
    squiggleBox.x + Math.min(8, squiggleBox.width / 2),
    squiggleBox.y + squiggleBox.height / 2,
  );
  const squiggledLine = await until("the cursor on the squiggled line", async () => {
    const current = editor.locator(".view-overlays .current-line");
    const box = await current.first().boundingBox();
    if (
      box === null ||
      Math.abs(box.y + box.height / 2 - (squiggleBox.y + squiggleBox.height / 2)) > box.height
    ) {
      return undefined;
    }
    const lines = editor.locator(".view-lines .view-line");
    for (let i = 0; i < (await lines.count()); i++) {
      const lineBox = await lines.nth(i).boundingBox();
      if (lineBox !== null && Math.abs(lineBox.y - box.y) < 2) {
        return ((await lines.nth(i).textContent()) ?? "").replace(/\u00a0/g, " ");
      }
    }
    return undefined;
  });
  mark(`cursor on: ${squiggledLine.trim()}`);

  const menu = page.locator(".action-widget");
  const fixRow = menu.locator(".monaco-list-row.action", { hasText: FIX }).first();
  await until(
    "the quick fix menu",
    async () => {
      if (!(await menu.isVisible())) {
        await editor.locator("textarea").focus();
        await page.keyboard.press("Control+.");
        await menu.waitFor({ state: "visible", timeout: 10_000 });
      }
      return fixRow.isVisible();
    },
    TIMEOUT,
    1000,
  );
  const actions = (await menu.locator(".monaco-list-row.action").allTextContents()).map((t) => t.trim());
  log(`quick fixes offered: ${JSON.stringify(actions)}`);
  // Enter applies the focused entry: move the focus to the fix (it is first when preferred).
  for (let i = 0; i <= actions.length; i++) {
    const focused = menu.locator(".monaco-list-row.action.focused");
    if (((await focused.textContent()) ?? "").includes(FIX)) {
      break;
    }
    await page.keyboard.press("ArrowDown");
  }
  const fixTitle = ((await menu.locator(".monaco-list-row.action.focused").textContent()) ?? "").trim();
  if (!fixTitle.includes(FIX)) {
    throw new Error(`no quick fix mentioning ${FIX} could be focused; offered: ${JSON.stringify(actions)}`);
  }
  mark(`quick fix focused: ${fixTitle}`);
  if (opts.screenshot) {
    await page.screenshot({ path: opts.screenshot });
    log(`screenshot: ${opts.screenshot}`);
  }

  await page.keyboard.press("Enter");
  await until("the fix in the editor", async () => (await editorText()).includes("__table_args__"));
  await until(
    "the editor to show unsaved changes",
    async () => (await page.locator(".editor-group-container.active .tab.dirty").count()) > 0,
  );
  mark("fix applied");

  await page.keyboard.press("Control+S");
  // Saved: the tab is no longer dirty (VS Code has finished writing), and the disk has the fix.
  const dirtyTab = page.locator(".editor-group-container.active .tab.dirty");
  const saved = await until("the fix on disk", async () => {
    if ((await dirtyTab.count()) > 0) {
      return undefined;
    }
    const text = await readFile(opts.file, "utf8");
    return text.includes("__table_args__") && text.includes("UniqueConstraint(") ? text : undefined;
  });
  mark("file saved");

  await until("the squiggle to go", async () => (await squiggles.count()) === 0);
  await until(
    `${CODE} to leave Problems`,
    async () => (await problemRows.filter({ hasText: CODE }).count()) === 0,
  );
  mark("squiggle and problem gone");

  return {
    ok: true,
    problem: problemText,
    line: squiggledLine.trim(),
    actions,
    fix: fixTitle,
    saved,
    timings,
  };
}

async function notFound() {
  const toasts = page.locator(".notification-toast");
  const toast = toasts.filter({ hasText: "language server was not found" });
  await toast.first().waitFor({ state: "visible", timeout: TIMEOUT });
  mark("not-found notification shown");
  if (opts.screenshot) {
    await page.screenshot({ path: opts.screenshot });
  }
  const messages = (await toasts.locator(".notification-list-item-message").allTextContents()).map((t) =>
    t.trim(),
  );
  const ours = messages.filter((text) => /schema-lint/i.test(text));
  if (ours.length !== 1) {
    throw new Error(`expected one schema-lint notification, got ${JSON.stringify(messages)}`);
  }
  if (!ours[0].includes("pip install schema-lint")) {
    throw new Error(`the notification does not say how to install the server: ${ours[0]}`);
  }
  const buttons = (await toast.first().locator(".monaco-button").allTextContents()).map((t) => t.trim());
  return { ok: true, messages, buttons, timings };
}

let summary = { ok: false };
try {
  await page.goto(opts.url, { timeout: TIMEOUT });
  await page.locator(".monaco-workbench").waitFor({ timeout: TIMEOUT });
  await page.getByRole("treeitem", { name: fileName }).first().waitFor({ timeout: TIMEOUT });
  mark("workbench loaded");

  await openFile();
  summary = opts.scenario === "not-found" ? await notFound() : await quickFix();
} catch (error) {
  summary = {
    ok: false,
    error: String(error?.stack ?? error),
    timings,
    consoleErrors: consoleErrors.slice(-20),
  };
  if (opts.artifacts) {
    await mkdir(opts.artifacts, { recursive: true });
    const shot = join(opts.artifacts, "failure.png");
    await page.screenshot({ path: shot }).catch(() => undefined);
    summary.failureScreenshot = shot;
  }
} finally {
  await browser.close().catch(() => undefined);
}
console.log(JSON.stringify(summary));
process.exit(summary.ok ? 0 : 1);
