import { after, before } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, launchChromium } from "../../../server/test/helpers/chromium.js";
import { bundleSdk } from "./bundle.js";
import { localServer } from "./local-server.js";

// One way to find and start Chromium for every browser test of the repository.
export { chromiumAvailable };

export interface BrowserPage {
  page: Page;
  /** The page's origin, e.g. http://127.0.0.1:43123 */
  origin: string;
  /** Console and page errors, for failure messages. */
  log: string[];
}

/**
 * Serves a blank page and the SDK bundle (`/sdk.js`, jose included, built by esbuild from the
 * SDK's source) from its own origin, and opens it in headless Chromium.
 */
export function browserPage(): () => BrowserPage {
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof localServer>> | undefined;
  let state: BrowserPage | undefined;
  before(async () => {
    const { files } = await bundleSdk("AuthenticationClient, GatehouseError, GatehouseNetworkError");
    const sdk = files.find((f) => f.path.endsWith("stdin.js"))?.text ?? files[0].text;
    server = await localServer((req, res) => {
      if (req.url === "/sdk.js") {
        res.writeHead(200, { "content-type": "text/javascript" });
        res.end(sdk);
      } else {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<!doctype html><title>sdk check</title><p>sdk check</p>");
      }
    });
    browser = await launchChromium();
    const page = await browser.newPage();
    const log: string[] = [];
    page.on("console", (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => log.push(`pageerror: ${e.message}`));
    await page.goto(`${server.url}/`);
    state = { page, origin: server.url, log };
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return () => {
    if (!state) throw new Error("browser not started");
    return state;
  };
}
