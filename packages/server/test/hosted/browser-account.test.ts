import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import { signedInUser } from "../helpers/auth.js";
import { axeViolations, chromiumAvailable, DESKTOP, launchChromium, PHONE } from "../helpers/chromium.js";
import { freshPhone } from "../helpers/codes.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { enableFactors, totpAt } from "../helpers/mfa.js";

// The account page in Debian Chromium with its script on and its CSP enforced
// (docs/account-page.md): one person's visit from the first sign-in to deleting the account.
describe("account page in Chromium", { skip: !chromiumAvailable() }, () => {
  let h: Harness;
  let close: () => Promise<void>;
  let browser: Browser;
  let base = "";
  const email = `chromium-account-${process.pid}@example.com`;
  const password = "correct horse 1";
  let apiToken = "";

  before(async () => {
    ({ harness: h, close } = await createHarness("sqlite"));
    await enableFactors(h, ["OTP"]);
    // A sign-in through the API: another session the page can sign out.
    apiToken = (await signedInUser(h, email, password)).access_token;
    base = await h.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await close?.();
  });

  async function visitor(options: { viewport?: typeof DESKTOP; bypassCSP?: boolean } = {}) {
    const context = await browser.newContext({
      viewport: options.viewport ?? DESKTOP,
      javaScriptEnabled: true,
      bypassCSP: options.bypassCSP ?? false,
      locale: "en-US",
    });
    const page = await context.newPage();
    const lines: string[] = [];
    page.on("console", (m) => lines.push(`${m.type()}: ${m.text()}`));
    return { page, console: lines };
  }

  /** /account → the hosted sign-in → back on /account. */
  async function signIn(page: Page, pw = password) {
    await page.goto(`${base}/account?ui_locales=en-US`);
    await page.waitForURL(/\/interaction\//);
    await page.fill("#account", email);
    await page.fill("#password", pw);
    await page.press("#password", "Enter");
    await page.waitForURL(/\/account$/);
  }

  const notice = (page: Page) => page.locator('p.notice[role="status"]').first().textContent();

  it("edit profile, change phone, change password, TOTP, sign out another session, delete", async () => {
    const { page, console: lines } = await visitor();
    await signIn(page);

    // Profile.
    await page.fill("#profile-nickname", "Chromium Ann");
    await page.click("#profile button.primary");
    await page.waitForURL(/done=profileSaved/);
    assert.equal(await notice(page), "Your profile was saved.");
    assert.equal(await page.inputValue("#profile-nickname"), "Chromium Ann");

    // The API's session (a password change would end it too) is listed and signed out from here; its token stops at once.
    const before = await h.api("GET", "/api/v3/get-profile", undefined, { authorization: apiToken });
    assert.equal(before.statusCode, 200);
    await page.click('#sessions form[action*="/sessions/end"] button');
    await page.waitForURL(/done=sessionEnded/);
    const afterEnd = await h.api("GET", "/api/v3/get-profile", undefined, { authorization: apiToken });
    assert.equal(afterEnd.statusCode, 401);

    // A phone bound, then changed with a code to each number (both read from the memory outbox).
    const first = freshPhone();
    await page.fill("#phone-bind", first);
    await page.click('#phone button[formaction*="/phone/send-bind"]');
    await page.waitForURL(/\/account\/phone\/send-bind/);
    await page.fill("#phone-bind-code", h.ctx.outbox.lastCodeFor(first, "CHANNEL_BIND_PHONE") ?? "");
    await page.click("#phone button.primary");
    await page.waitForURL(/done=phoneBound/);
    const next = freshPhone();
    await page.fill("#phone-new", next);
    await page.click('#phone button[formaction*="/phone/send-old"]');
    await page.waitForURL(/\/account\/phone\/send-old/);
    // The script counts the cooldown down on the button just used (the form works without it).
    const sendOld = page.locator('#phone button[formaction*="/phone/send-old"]');
    assert.ok(await sendOld.isDisabled());
    assert.match((await sendOld.textContent()) ?? "", /Send again in \d+ s/);
    await page.click('#phone button[formaction*="/phone/send-new"]');
    await page.waitForURL(/\/account\/phone\/send-new/);
    assert.equal(await page.inputValue("#phone-new"), next, "the new number stays typed in");
    await page.fill("#phone-old-code", h.ctx.outbox.lastCodeFor(first, "CHANNEL_UNBIND_PHONE") ?? "");
    await page.fill("#phone-new-code", h.ctx.outbox.lastCodeFor(next, "CHANNEL_BIND_PHONE") ?? "");
    await page.click("#phone button.primary");
    await page.waitForURL(/done=phoneChanged/);
    assert.match((await page.locator("#phone strong").textContent()) ?? "", new RegExp(next));

    // Password.
    await page.fill("#password-old", password);
    await page.fill("#password-new", "brand new pw 9");
    await page.click("#password button.primary");
    await page.waitForURL(/done=passwordChanged/);

    // TOTP: the QR code, the secret as text, a code, the recovery code once, then removed.
    await page.click('#mfa form[action*="/mfa/totp-start"] button');
    await page.waitForURL(/\/account\/mfa\/totp-start/);
    assert.ok(await page.locator("img.qr").isVisible());
    const secret = (await page.locator("#totp-secret").textContent()) ?? "";
    const uri = `otpauth://totp/x?secret=${secret}&algorithm=SHA1&digits=6&period=30`;
    await page.fill("#totp-code", totpAt(uri, Date.now()));
    await page.click('#mfa form[action*="/mfa/totp-confirm"] button');
    await page.waitForURL(/\/account\/mfa\/totp-confirm/);
    assert.match(
      (await page.locator("#recovery-code").textContent()) ?? "",
      /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/,
    );
    await page.click("text=I saved it");
    await page.waitForURL(/\/account#mfa$/);
    assert.equal(await page.locator("#recovery-code").count(), 0, "shown once");
    await page.click('#mfa form[action*="/mfa/remove"] button');
    await page.waitForURL(/done=factorRemoved/);

    // Delete: a code to the email, the box ticked; the browser is signed out.
    await page.check('#delete input[name="method"][value="email"]');
    await page.click('#delete button[formaction*="/delete/send-code"]');
    await page.waitForURL(/\/account\/delete\/send-code/);
    await page.fill("#delete-code", h.ctx.outbox.lastCodeFor(email, "CHANNEL_DELETE_ACCOUNT") ?? "");
    await page.check('#delete input[name="confirm"]');
    await page.click("#delete button.danger");
    await page.waitForURL(/\/account\/delete\/confirm/);
    assert.equal(await page.locator("h1").textContent(), "Account deleted");
    assert.equal(
      (await page.context().cookies()).find((c) => c.name === "gatehouse_session"),
      undefined,
    );
    assert.equal(await findUserByEmail(h.ctx.repos, h.boot.userPoolId, email), undefined);

    assert.deepEqual(
      lines.filter((l) => /Content Security Policy|Refused/.test(l)),
      [],
      "nothing the page does is refused by its CSP",
    );
  });

  it("at phone width: no sideways scrolling, and axe-core finds nothing", async () => {
    await signedInUser(h, `phone-${email}`, password);
    const { page } = await visitor({ viewport: PHONE, bypassCSP: true });
    await page.goto(`${base}/account?ui_locales=en-US`);
    await page.waitForURL(/\/interaction\//);
    await page.fill("#account", `phone-${email}`);
    await page.fill("#password", password);
    await page.press("#password", "Enter");
    await page.waitForURL(/\/account$/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `scrolls sideways by ${overflow}px`);
    assert.deepEqual(await axeViolations(page), []);
  });
});
