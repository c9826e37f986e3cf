import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import * as esbuild from "esbuild";
import type { Browser, Page } from "playwright-core";
import { createApp, signUpByEmail } from "../helpers/auth.js";
import { chromiumAvailable, launchChromium } from "../helpers/chromium.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";
import { startTcpProxy } from "../helpers/tcp-proxy.js";

/**
 * Names the browser resolves to local servers (Chromium's --host-resolver-rules): Gatehouse as
 * `id.example.com` on port 80, the application as `app.example.com` — the same site, so the
 * browser session's SameSite=Lax cookie reaches the SDK's hidden iframe — and a stranger as
 * `evil.example.net`.
 */
const GATEHOUSE = "http://id.example.com";
const APP_HOST = "app.example.com";
const EVIL_HOST = "evil.example.net";

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The published @authing/web, bundled for the page as the application would ship it. */
async function bundleSdk(): Promise<string> {
  const pkg = createRequire(import.meta.url).resolve("@authing/web/package.json");
  const out = await esbuild.build({
    stdin: {
      contents: 'import { Authing } from "@authing/web"; window.Authing = Authing;',
      resolveDir: pkg.replace(/node_modules\/@authing\/web\/package\.json$/, ""),
    },
    bundle: true,
    format: "iife",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]?.text ?? "";
}

// GenAuth's browser SDK, unchanged, against Gatehouse behind a port-80 proxy, in Debian Chromium
// (docs/oidc-provider.md §GenAuth's browser SDK).
describe("@authing/web against Gatehouse, in Chromium", { skip: !chromiumAvailable() }, () => {
  let h: Harness;
  let close: () => Promise<void>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let browser: Browser;
  let site: http.Server;
  let APP = "";
  let EVIL = "";
  let appId = "";
  const email = "web-sdk@example.com";
  const password = "correct horse 5";

  before(async () => {
    const appPort = await freePort();
    APP = `http://${APP_HOST}:${appPort}`;
    EVIL = `http://${EVIL_HOST}:${appPort}`;
    ({ harness: h, close } = await createHarness("sqlite", {
      config: { publicUrl: GATEHOUSE, corsOrigins: [APP] },
    }));
    const port = await freePort();
    await h.app.listen({ port, host: "127.0.0.1" });
    // A loopback address of its own, so that parallel test runs never compete for port 80.
    const ip = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    proxy = await startTcpProxy({ host: "127.0.0.1", port }, { host: ip, port: 80 });
    await signUpByEmail(h, email, password);
    // The SDK's refresh names the application (x-authing-app-id): its pool's allowed origins judge
    // it; its other calls name none and GATEHOUSE_CORS_ORIGINS does (docs/oidc-provider.md).
    await patchPoolSettings(h, { allowedOrigins: [APP] });
    ({ appId } = await createApp(h, "none", {
      redirectUris: [`${APP}/callback`],
      logoutRedirectUris: [`${APP}/bye`],
    }));

    const sdk = await bundleSdk();
    const options = JSON.stringify({
      domain: GATEHOUSE,
      appId,
      userPoolId: h.boot.userPoolId,
      redirectUri: `${APP}/callback`,
      logoutRedirectUri: `${APP}/bye`,
      scope: "openid profile email offline_access",
    });
    site = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/sdk.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(sdk);
        return;
      }
      const evil = req.headers.host?.startsWith(EVIL_HOST);
      res
        .writeHead(200, { "content-type": "text/html" })
        .end(
          `<!doctype html><title>${evil ? "evil" : "app"}</title><script src="/sdk.js"></script>` +
            `<script>window.options = ${options}; window.sdk = new Authing(options); window.messages = [];` +
            `addEventListener("message", (e) => messages.push({ origin: e.origin, data: e.data }));</script>`,
        );
    });
    await new Promise<void>((resolve) => site.listen(appPort, "127.0.0.1", resolve));
    browser = await launchChromium([
      `--host-resolver-rules=MAP id.example.com ${ip}, MAP ${APP_HOST} 127.0.0.1, MAP ${EVIL_HOST} 127.0.0.1`,
      // As if served over https, which the test cannot: crypto.subtle (the SDK's PKCE) needs a
      // secure context, and only there do browsers apply Cross-Origin-Opener-Policy, which would
      // cut a sign-in popup from its opener.
      `--unsafely-treat-insecure-origin-as-secure=${GATEHOUSE},${APP},${EVIL}`,
    ]);
  });
  after(async () => {
    await browser?.close();
    site?.close();
    await proxy?.close();
    await close?.();
  });

  /** A fresh browser profile with scripts on and every CSP enforced (Gatehouse's included). */
  async function visitor() {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    context.on("console", (m) => {
      if (process.env.DEBUG_WEB_SDK) console.log("console:", m.text());
      if (/Content Security Policy|Refused/.test(m.text())) refused.push(m.text());
    });
    return { context, page, refused };
  }

  async function signInOnHostedPage(page: Page) {
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel(/Email/).first().fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  it("redirect sign-in, getUserInfo, silent renewal in the iframe, refresh, logout, then no login state", async () => {
    const { page, context, refused } = await visitor();
    await page.goto(`${APP}/`);
    await page.evaluate(() => (window as any).sdk.loginWithRedirect());
    await signInOnHostedPage(page);
    await page.waitForURL(`${APP}/callback#**`);
    const state = await page.evaluate(() => (window as any).sdk.handleRedirectCallback());
    assert.equal(state.parsedIdToken.email, email);
    assert.ok(state.refreshToken, "offline_access gives the SDK its refresh token");

    const info = await page.evaluate(() => (window as any).sdk.getUserInfo());
    assert.equal(info.email, email, JSON.stringify(info));

    await page.reload();
    const renewed = await page.evaluate(() => (window as any).sdk.getLoginState({ ignoreCache: true }));
    assert.ok(renewed, "the hidden iframe brought a new login state");
    assert.notEqual(renewed.accessToken, state.accessToken);
    assert.equal(renewed.parsedIdToken.sub, state.parsedIdToken.sub);

    const refreshed = await page.evaluate(() => (window as any).sdk.refreshToken());
    assert.ok(refreshed.accessToken && refreshed.accessToken !== renewed.accessToken);

    // introspectAccessToken: the cached state is kept only while introspection says it is active.
    const checked = await page.evaluate(() => {
      const w = window as any;
      return new w.Authing({ ...w.options, introspectAccessToken: true }).getLoginState();
    });
    assert.equal(checked?.accessToken, refreshed.accessToken, "introspection found it active");

    const refusedOnTheWay = [...refused];
    // A stranger's page asks for the same application's response, in a frame and in a popup,
    // while the user is signed in: the message is for the application's origin only.
    const evil = await context.newPage();
    await evil.goto(`${EVIL}/`);
    const authorize = `${GATEHOUSE}/oidc/auth?${new URLSearchParams({
      client_id: appId,
      redirect_uri: `${APP}/callback`,
      response_type: "id_token",
      response_mode: "web_message",
      scope: "openid",
      nonce: "n",
      state: "s",
      prompt: "none",
    })}`;
    const popup = context.waitForEvent("page");
    await evil.evaluate((src) => {
      const frame = document.createElement("iframe");
      frame.src = src;
      document.body.append(frame);
      window.open(src, "p", "popup");
    }, authorize);
    await (await popup).waitForEvent("close");
    await evil.waitForTimeout(300);
    assert.deepEqual(await evil.evaluate(() => (window as any).messages), []);
    await evil.close();

    await page.evaluate(() => (window as any).sdk.logoutWithRedirect());
    await page.waitForURL(`${APP}/bye**`);
    const after = await page.evaluate(() => (window as any).sdk.getLoginState({ ignoreCache: true }));
    assert.equal(after, null, "signed out: the iframe answers login_required");
    assert.deepEqual(refusedOnTheWay, [], "no CSP refusal on the application's way");
    assert.ok(
      refused.some((l) => l.includes("frame-ancestors")),
      "the stranger's frame was refused by frame-ancestors",
    );
    await context.close();
  });

  it("loginWithPopup signs in on the hosted page in a popup", async () => {
    const { page, context } = await visitor();
    await page.goto(`${APP}/`);
    assert.equal(
      await page.evaluate(() => (window as any).sdk.getLoginState()),
      null,
      "a new browser has no login state",
    );
    const opened = context.waitForEvent("page");
    const result = page.evaluate(() => (window as any).sdk.loginWithPopup());
    const popup = await opened;
    await signInOnHostedPage(popup);
    const state = await result;
    assert.ok(state, "the popup's message reached the application");
    assert.equal(state.parsedIdToken.email, email);
    await context.close();
  });
});
