import assert from "node:assert/strict";
import http from "node:http";
import type net from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { FakeClock } from "../../src/lib/clock.js";
import { axeViolations, chromiumAvailable, launchChromium, newVisitor, PHONE } from "../helpers/chromium.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { enableFactors, enrolOtp, totpAt } from "../helpers/mfa.js";
import { loginInteraction, pagesClient } from "../helpers/pages.js";
import { type Account, as, e164, register } from "../helpers/profile.js";

// The MFA step of the hosted sign-in in Debian Chromium, without JavaScript (docs/hosted-pages.md
// §Second factor): what only a browser shows — the forms and redirects really working under the
// pages' CSP (the QR code is a data: image), keyboard use, 360 px, axe-core. One browser for the file.
describe("hosted MFA step in Chromium", { skip: !chromiumAvailable() }, () => {
  let h: Harness;
  let close: () => Promise<void>;
  let browser: Browser;
  let base = "";
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  let otpUser: Account;
  let otpUri = "";
  /** The relying party: a listening server of its own, its redirect URI answers a small page. */
  let rp: http.Server;
  let CB = "";

  before(async () => {
    ({ harness: h, close } = await createHarness("sqlite", { clock }));
    rp = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<p>rp</p>"),
    );
    await new Promise<void>((resolve) => rp.listen(0, "127.0.0.1", resolve));
    CB = `http://127.0.0.1:${(rp.address() as net.AddressInfo).port}/cb`;
    await pagesClient(h, [CB]);
    await enableFactors(h, ["OTP", "SMS", "EMAIL"]);
    otpUser = await register(h, { email: true });
    otpUri = (await enrolOtp(h, otpUser.token)).uri;
    base = await h.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rp?.close();
    await close?.();
  });

  const login = (over: Parameters<typeof loginInteraction>[1] = {}) =>
    loginInteraction(h, { redirectUri: CB, uiLocales: "en-US", ...over });

  async function reachesClient(page: Page) {
    await page.waitForURL(`${CB}?**`);
    assert.ok(new URL(page.url()).searchParams.get("code"), page.url());
  }

  async function signInByPassword(page: Page, user: Account) {
    await page.getByLabel("Email").fill(user.email as string);
    await page.getByLabel("Password").fill(user.password as string);
    // exact: with script on, "Sign in with a passkey" is a button too.
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  it("password, then TOTP typed with the keyboard alone; axe finds nothing on the step", async () => {
    clock.advance(30_000);
    const v = await newVisitor(browser);
    await v.page.goto(`${base}/interaction/${await login()}?method=password`);
    await signInByPassword(v.page, otpUser);
    await v.page.waitForURL(/\/mfa$/);
    assert.equal(await v.page.evaluate(() => document.activeElement?.id), "code", "the code field has focus");
    await v.page.keyboard.type(totpAt(otpUri, clock.now()));
    await v.page.keyboard.press("Enter");
    await reachesClient(v.page);
    assert.ok((await v.context.cookies()).some((c) => c.name === "gatehouse_session"));
    await v.context.close();

    // The same step for axe (script allowed only for the test), in both languages and at phone width.
    for (const [lang, viewport] of [
      ["en-US", undefined],
      ["zh-CN", PHONE],
    ] as const) {
      const a = await newVisitor(browser, { bypassCSP: true, ...(viewport ? { viewport } : {}) });
      await a.page.goto(`${base}/interaction/${await login({ uiLocales: lang })}?method=password`);
      await a.page.locator("#account").fill(otpUser.email as string);
      await a.page.locator("#password").fill(otpUser.password as string);
      await a.page.locator("button.primary").click();
      await a.page.waitForURL(/\/mfa$/);
      assert.deepEqual(await axeViolations(a.page), [], `step in ${lang}`);
      const width = await a.page.evaluate(() => document.documentElement.scrollWidth);
      if (viewport) assert.ok(width <= viewport.width, `no sideways scroll at 360 px (${width})`);
      await a.context.close();
    }
  });

  it("SMS code, then the email factor", async () => {
    const u = await register(h, { phone: true, email: true });
    const call = as(h, u.token);
    const sent = await call("POST", "/api/v3/send-enroll-factor-request", {
      factorType: "EMAIL",
      profile: { email: u.email },
    });
    await call("POST", "/api/v3/enroll-factor", {
      factorType: "EMAIL",
      enrollmentToken: sent.data.enrollmentToken,
      enrollmentData: { passCode: h.ctx.outbox.lastCodeFor(u.email as string, "CHANNEL_BIND_MFA") },
    });
    clock.advance(120_000);
    const v = await newVisitor(browser);
    await v.page.goto(`${base}/interaction/${await login()}?method=sms`);
    await v.page.getByLabel("Phone number").fill(u.phone as string);
    await v.page.getByRole("button", { name: "Send code" }).click();
    await v.page
      .getByLabel("Verification code")
      .fill(h.ctx.outbox.lastCodeFor(e164(u.phone as string), "CHANNEL_LOGIN") as string);
    await v.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await v.page.waitForURL(/\/mfa$/);
    await v.page.getByRole("button", { name: "Send code" }).click();
    await v.page.getByRole("status").waitFor();
    await v.page
      .getByLabel("Verification code")
      .fill(h.ctx.outbox.lastCodeFor(u.email as string, "CHANNEL_VERIFY_MFA") as string);
    await v.page.getByRole("button", { name: "Verify" }).click();
    await reachesClient(v.page);
    await v.context.close();
  });

  it("forced enrolment under the required policy: the secret read from the otpauth URI on the page, the recovery code shown once", async () => {
    await enableFactors(h, ["OTP", "SMS", "EMAIL"], { policy: "required" });
    const u = await register(h, { email: true });
    // axe runs on the enrolment and recovery pages too: script allowed only for the test.
    const v = await newVisitor(browser, { bypassCSP: true });
    await v.page.goto(`${base}/interaction/${await login()}?method=password`);
    await signInByPassword(v.page, u);
    await v.page.waitForURL(/\/mfa$/);
    await v.page.getByRole("button", { name: "Set up an authenticator app" }).click();
    const qr = v.page.getByRole("img", { name: "QR code of the authenticator key" });
    await qr.waitFor();
    assert.ok(
      await qr.evaluate(
        (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
      ),
      "the QR code (a data: image) is shown under the page's CSP",
    );
    const uri = (await v.page.locator("#otpauth").getAttribute("href")) as string;
    assert.match(uri, /^otpauth:\/\/totp\//);
    const secret = new URL(uri).searchParams.get("secret") as string;
    assert.equal(((await v.page.locator("#secret").textContent()) ?? "").replace(/\s/g, ""), secret);
    assert.deepEqual(await axeViolations(v.page), [], "enrolment page");
    await v.page.getByLabel("Code the app shows").fill(totpAt(uri, clock.now()));
    await v.page.getByRole("button", { name: "Confirm" }).click();
    const code = v.page.locator("#recovery-code");
    await code.waitFor();
    assert.match((await code.textContent()) ?? "", /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);
    assert.deepEqual(await axeViolations(v.page), [], "recovery code page");
    await v.page.getByRole("button", { name: "I saved it, continue" }).click();
    await reachesClient(v.page);
    await v.context.close();
    await enableFactors(h, ["OTP", "SMS", "EMAIL"]);
  });

  it("remember this device: the next sign-in in this browser skips the step", async () => {
    await enableFactors(h, ["OTP", "SMS", "EMAIL"], { rememberDeviceDays: 30 });
    clock.advance(30_000);
    const v = await newVisitor(browser);
    await v.page.goto(`${base}/interaction/${await login()}?method=password`);
    await signInByPassword(v.page, otpUser);
    await v.page.waitForURL(/\/mfa$/);
    await v.page.getByLabel("6-digit code from your authenticator app").fill(totpAt(otpUri, clock.now()));
    await v.page.getByLabel("Remember this device for 30 days").check();
    await v.page.getByRole("button", { name: "Verify" }).click();
    await reachesClient(v.page);
    const cookie = (await v.context.cookies()).find((c) => c.name === "gatehouse_mfa_device");
    assert.ok(cookie?.httpOnly);
    await v.page.goto(`${base}/interaction/${await login()}?method=password`);
    await signInByPassword(v.page, otpUser);
    await reachesClient(v.page);
    await v.context.close();
    await enableFactors(h, ["OTP", "SMS", "EMAIL"]);
  });
});
