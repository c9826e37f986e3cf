import fs from "node:fs";
import { createRequire } from "node:module";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Chromium is required under CI (scripts/ensure-chromium.sh installs it); locally it may be absent. */
export function chromiumAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium is required under CI but ${CHROMIUM} is missing`);
  console.log(`# notice: ${CHROMIUM} not found; skipping the browser tests (run scripts/ensure-chromium.sh)`);
  return false;
}

/** `extraArgs`: e.g. `--host-resolver-rules=…`, to give local servers the names a test needs. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraArgs] });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

/**
 * A fresh browser context (its own cookies) whose pages record what the console says — a CSP
 * violation is reported there — and whose requests to the relying party's origin are answered
 * with a stub page, so a redirect back to the client can be read from the URL.
 */
export async function newVisitor(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; bypassCSP?: boolean; rpOrigin?: string } = {},
): Promise<{ context: BrowserContext; page: Page; console: string[] }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    bypassCSP: options.bypassCSP ?? false,
    javaScriptEnabled: options.bypassCSP ?? false,
  });
  if (options.rpOrigin) {
    await context.route(`${options.rpOrigin}/**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: "text/html",
        body: "<!doctype html><title>rp</title><p>rp</p>",
      }),
    );
  }
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  return { context, page, console: consoleLines };
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's WCAG 2 A and AA rules on the page (labels, contrast, landmarks…). The page needs a
 * context opened with `bypassCSP` (the pages allow no script; axe is injected by the test).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } })
      .axe;
    return axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
  });
  return (result.violations as { id: string; nodes: { target: string[] }[] }[]).map(
    (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}
