import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { signUpByEmail } from "../helpers/auth.js";
import { chromiumAvailable, DESKTOP, launchChromium } from "../helpers/chromium.js";
import { freshEmail } from "../helpers/codes.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { enableFactors, enrolOtp } from "../helpers/mfa.js";
import { loginInteraction, pagesClient } from "../helpers/pages.js";
import { register, signIn } from "../helpers/profile.js";

/** A free port, so that the public URL (the passkeys' RP id and origin) can name it before listening. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Passkeys in Debian Chromium with its virtual authenticator (DevTools WebAuthn domain): a passkey
// made by the browser through the V3 endpoints, then the hosted sign-in page with the passkey alone.
// WebAuthn needs a secure context and a domain as RP id: the server is http://localhost:<port>.
describe("passkeys in Chromium", { skip: !chromiumAvailable() }, () => {
  let h: Harness;
  let close: () => Promise<void>;
  let browser: Browser;
  let base = "";
  let rp: http.Server;
  let CB = "";
  const password = "correct horse 7";
  let email = "";
  let userId = "";

  before(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    ({ harness: h, close } = await createHarness("sqlite", { config: { publicUrl: base } }));
    rp = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<p>rp</p>"),
    );
    await new Promise<void>((resolve) => rp.listen(0, "127.0.0.1", resolve));
    CB = `http://127.0.0.1:${(rp.address() as net.AddressInfo).port}/cb`;
    await pagesClient(h, [CB]);
    email = freshEmail("passkey-browser");
    userId = (await signUpByEmail(h, email, password)).data.userId;
    await h.app.listen({ port, host: "127.0.0.1" });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rp?.close();
    await close?.();
  });

  /** A context with JavaScript (the pages' CSP still applies) and a virtual platform authenticator. */
  async function withAuthenticator(): Promise<{
    context: BrowserContext;
    page: Page;
    cdp: CDPSession;
    authenticatorId: string;
    console: string[];
  }> {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const lines: string[] = [];
    page.on("console", (m) => lines.push(`${m.type()}: ${m.text()}`));
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return { context, page, cdp, authenticatorId, console: lines };
  }

  async function storedCounter(): Promise<number> {
    const rows = await h.ctx.repos.webauthn.listUserCredentials(h.boot.userPoolId, userId);
    return Number(rows[0]?.counter);
  }

  it("register through the V3 endpoints, sign in on the hosted page with the passkey alone; the prompt and the account page add one", async () => {
    const v = await withAuthenticator();
    const token = await signIn(h, email, password);
    const auth = { authorization: token, "x-authing-app-id": h.boot.appId };

    // The registration ceremony, driven by a Gatehouse page (which loads the browser library).
    await v.page.goto(
      `${base}/interaction/${await loginInteraction(h, { redirectUri: CB, uiLocales: "en-US" })}`,
    );
    const options = (
      await h.inject({ method: "GET", url: "/api/v3/webauthn/registration", headers: auth })
    ).json();
    const credential = await v.page.evaluate(
      (optionsJSON) =>
        (globalThis as unknown as { SimpleWebAuthnBrowser: any }).SimpleWebAuthnBrowser.startRegistration({
          optionsJSON,
        }),
      options.data.registrationOptions,
    );
    const done = (
      await h.inject({
        method: "POST",
        url: "/api/v3/webauthn/registration",
        headers: auth,
        payload: { ticket: options.data.ticket, registrationCredential: credential, name: "Chromium" },
      })
    ).json();
    assert.deepEqual(done.data, { verified: true }, JSON.stringify(done));
    const { credentials } = await v.cdp.send("WebAuthn.getCredentials", {
      authenticatorId: v.authenticatorId,
    });
    assert.equal(credentials.length, 1);
    assert.ok(credentials[0]?.isResidentCredential, "a discoverable credential");
    const before = await storedCounter();

    // Signed out (a new interaction, no browser session): the passkey alone signs in.
    const uid = await loginInteraction(h, { redirectUri: CB, uiLocales: "en-US" });
    let posted = "";
    await v.page.route("**/interaction/*/passkey", async (route) => {
      posted = route.request().postData() ?? "";
      await route.continue();
    });
    // The SMS page has no account field, so no autofill request: the button asks.
    await v.page.goto(`${base}/interaction/${uid}?method=sms`);
    await v.page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await v.page.waitForURL(`${CB}?**`);
    assert.ok(new URL(v.page.url()).searchParams.get("code"), v.page.url());
    const cookie = (await v.context.cookies()).find((c) => c.name === "gatehouse_session");
    const session = await h.ctx.oidc.browserSessions.read(cookie?.value);
    assert.equal(session?.userId, userId);
    assert.equal(session?.method, "passkey");
    assert.ok((await storedCounter()) > before, "the signature counter moved");
    assert.deepEqual(
      v.console.filter((l) => /Content Security Policy|Refused/.test(l)),
      [],
      "the page's scripts run within its own CSP",
    );

    // The same posted assertion again is refused, and opens nothing.
    const replay = await v.page.request.post(`${base}/interaction/${uid}/passkey`, {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      data: posted,
      maxRedirects: 0,
    });
    assert.ok(replay.status() >= 400 && replay.status() < 500, `replay answered ${replay.status()}`);
    const fresh = await loginInteraction(h, { redirectUri: CB, uiLocales: "en-US" });
    const again = await v.page.request.post(`${base}/interaction/${fresh}/passkey`, {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      data: posted,
      maxRedirects: 0,
    });
    assert.equal(again.status(), 400, "a ticket of another interaction is refused");
    assert.match(await again.text(), /This passkey request has expired/);

    // Conditional UI: on the password page the account field ("username webauthn") offers the
    // passkey in its autofill; the virtual authenticator picks it with no click, and the counter
    // moves again.
    const counter = await storedCounter();
    await v.page.unroute("**/interaction/*/passkey");
    const page = await h.inject({ method: "GET", url: `/interaction/${fresh}?method=password` });
    assert.match(page.body, /id="account" name="account" type="text" autocomplete="username webauthn"/);
    await v.page.goto(
      `${base}/interaction/${await loginInteraction(h, { redirectUri: CB, uiLocales: "en-US" })}?method=password`,
    );
    await v.page.waitForURL(`${CB}?**`);
    assert.ok((await storedCounter()) > counter);
    const history = await h.ctx.db.kysely
      .selectFrom("login_history")
      .select(["method", "success"])
      .where("user_id", "=", userId)
      .where("method", "=", "oidc:webauthn")
      .execute();
    assert.equal(history.filter((r) => Number(r.success) === 1).length, 2);
    await v.context.close();

    // Another user, no passkey yet, signs in with the password in a browser that can make one: the
    // prompt offers it; the account page then lists it, removes it and adds another.
    const w = await withAuthenticator();
    const email2 = freshEmail("passkey-prompt-browser");
    const user2 = (await signUpByEmail(h, email2, password)).data.userId as string;
    await w.page.goto(`${base}/account?ui_locales=en-US`);
    // The page's script has told the password form that this browser can make a passkey.
    await w.page.waitForFunction(
      () => (document.getElementById("webauthn-capable") as HTMLInputElement | null)?.value === "platform",
    );
    await w.page.getByLabel("Email").fill(email2);
    await w.page.getByLabel("Password").fill(password);
    await w.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await w.page.waitForURL(/\/passkey-prompt/);
    await w.page.getByLabel("Name of the passkey").fill("Prompted");
    await w.page.getByRole("button", { name: "Add a passkey" }).click();
    await w.page.waitForURL(`${base}/account`);
    const mine = () =>
      h.ctx.passkeys.credentials.list({ poolId: h.boot.userPoolId, userId: user2, origin: NO_REQUEST });
    assert.deepEqual(
      (await mine()).map((p) => p.name),
      ["Prompted"],
    );

    await w.page.goto(`${base}/account?ui_locales=en-US#passkeys`);
    await w.page.getByRole("button", { name: "Remove: Prompted" }).click();
    await w.page.waitForURL(/done=passkeyRemoved/);
    assert.deepEqual(await mine(), []);
    await w.page.getByLabel(/Name of the new passkey/).fill("Laptop");
    await w.page.getByRole("button", { name: "Add a passkey" }).click();
    await w.page.waitForURL(/done=passkeyAdded/);
    assert.match((await w.page.locator("#passkeys").textContent()) ?? "", /Laptop/);
    assert.deepEqual(
      (await mine()).map((p) => p.name),
      ["Laptop"],
    );
    assert.deepEqual(
      w.console.filter((l) => /Content Security Policy|Refused/.test(l)),
      [],
      "the prompt's and the account page's scripts run within their CSP",
    );
    await w.context.close();
  });

  it("without WebAuthn (no script) the passkey form stays hidden and the page works as before", async () => {
    const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(
      `${base}/interaction/${await loginInteraction(h, { redirectUri: CB, uiLocales: "en-US" })}`,
    );
    assert.equal(await page.getByRole("button", { name: "Sign in with a passkey" }).count(), 0);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${CB}?**`);
    await context.close();
  });

  it("password, then a passkey as the second factor on the MFA step (docs/mfa.md §Passkey as a second factor)", async () => {
    await enableFactors(h, ["OTP"]);
    const u = await register(h, { email: true });
    await enrolOtp(h, u.token);
    const v = await withAuthenticator();
    const auth = { authorization: u.token, "x-authing-app-id": h.boot.appId };
    await v.page.goto(
      `${base}/interaction/${await loginInteraction(h, { redirectUri: CB, uiLocales: "en-US" })}?method=sms`,
    );
    const options = (
      await h.inject({ method: "GET", url: "/api/v3/webauthn/registration", headers: auth })
    ).json();
    const credential = await v.page.evaluate(
      (optionsJSON) =>
        (globalThis as unknown as { SimpleWebAuthnBrowser: any }).SimpleWebAuthnBrowser.startRegistration({
          optionsJSON,
        }),
      options.data.registrationOptions,
    );
    const added = await h.inject({
      method: "POST",
      url: "/api/v3/webauthn/registration",
      headers: auth,
      payload: { ticket: options.data.ticket, registrationCredential: credential, name: "Chromium" },
    });
    assert.equal(added.json().statusCode, 200, added.body);

    // The password page's autofill would sign in with the passkey alone: no presence while typing.
    await v.cdp.send("WebAuthn.setAutomaticPresenceSimulation", {
      authenticatorId: v.authenticatorId,
      enabled: false,
    });
    await v.page.goto(
      `${base}/interaction/${await loginInteraction(h, { redirectUri: CB, uiLocales: "en-US" })}?method=password`,
    );
    await v.page.getByLabel("Email").fill(u.email as string);
    await v.page.getByLabel("Password").fill(u.password as string);
    await v.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await v.page.waitForURL(/\/mfa$/);
    await v.cdp.send("WebAuthn.setAutomaticPresenceSimulation", {
      authenticatorId: v.authenticatorId,
      enabled: true,
    });
    await v.page.getByRole("link", { name: "Passkey" }).click();
    await v.page.getByRole("button", { name: "Use a passkey" }).click();
    await v.page.waitForURL(`${CB}?**`);
    const cookie = (await v.context.cookies()).find((c) => c.name === "gatehouse_session");
    const session = await h.ctx.oidc.browserSessions.read(cookie?.value);
    assert.equal(session?.userId, u.userId);
    assert.deepEqual(session?.amr, ["pwd", "hwk", "mfa"]);
    assert.deepEqual(
      v.console.filter((l) => /Content Security Policy|Refused/.test(l)),
      [],
      "the step page's scripts run within its own CSP",
    );
    await v.context.close();
  });
});
