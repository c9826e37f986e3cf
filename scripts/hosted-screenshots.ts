/**
 * Screenshots of every hosted page at desktop and phone width, for docs/hosted-pages.md:
 *
 *   node --import tsx scripts/hosted-screenshots.ts
 *
 * A throwaway server on a temporary SQLite database, Debian's Chromium (scripts/ensure-chromium.sh)
 * and a CJK font for the zh-CN page (Debian's fonts-wqy-zenhei); PNGs written to
 * docs/hosted-pages/<page>-<desktop|phone>.png, and the account page's states to
 * docs/account-page/<state>-<desktop|phone>.png.
 */
import fs from "node:fs";
import path from "node:path";
import { signUpByEmail } from "../packages/server/test/helpers/auth.js";
import { DESKTOP, launchChromium, newVisitor, PHONE } from "../packages/server/test/helpers/chromium.js";
import { freshPhone } from "../packages/server/test/helpers/codes.js";
import { createHarness } from "../packages/server/test/helpers/harness.js";
import { enableFactors, enrolOtp, totpAt } from "../packages/server/test/helpers/mfa.js";
import { consentInteraction, loginInteraction, pagesClient } from "../packages/server/test/helpers/pages.js";
import { signIn } from "../packages/server/test/helpers/profile.js";
import { SoftAuthenticator } from "../packages/server/test/helpers/soft-authenticator.js";

const out = path.join(import.meta.dirname, "..", "docs", "hosted-pages");
fs.mkdirSync(out, { recursive: true });

const accountOut = path.join(import.meta.dirname, "..", "docs", "account-page");
fs.mkdirSync(accountOut, { recursive: true });

const { harness: h, close } = await createHarness("sqlite");

/**
 * The account page's states (docs/account-page.md), with its script on and its CSP enforced:
 * the whole page, a refused profile value, a code sent (the countdown), TOTP enrolment, the
 * recovery code, re-authentication, zh-CN, and the page after deleting the account.
 */
async function accountScreenshots(base: string) {
  await enableFactors(h, ["OTP", "SMS"]);
  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    const email = `account-${label}@example.com`;
    const userId = (await signUpByEmail(h, email, "correct horse 7")).data.userId as string;
    const context = await browser.newContext({ viewport, javaScriptEnabled: true, locale: "en-US" });
    const page = await context.newPage();
    const shot = (name: string) =>
      page.screenshot({ path: path.join(accountOut, `${name}-${label}.png`), fullPage: true });
    await page.goto(`${base}/account?ui_locales=en-US`);
    await page.waitForURL(/\/interaction\//);
    await page.fill("#account", email);
    await page.fill("#password", "correct horse 7");
    await page.press("#password", "Enter");
    await page.waitForURL(/\/account$/);
    await page.fill("#profile-nickname", "Ann");
    await page.fill("#profile-city", "Hangzhou");
    await page.click("#profile button.primary");
    await page.waitForURL(/done=profileSaved/);
    await shot("account-overview");
    // The passkey section with one passkey (made by a software authenticator) and the add form.
    const owner = { poolId: h.boot.userPoolId, userId };
    const started = await h.ctx.passkeys.registration.start(owner);
    await h.ctx.passkeys.registration.finish(owner, {
      ticket: started.ticket,
      registrationCredential: new SoftAuthenticator().create(
        started.registrationOptions as never,
        h.ctx.passkeys.rp.origins[0] as string,
      ) as never,
      name: "MacBook",
    });
    await page.goto(`${base}/account?ui_locales=en-US#passkeys`);
    await page.getByRole("button", { name: "Add a passkey" }).waitFor();
    await page
      .locator("#passkeys")
      .screenshot({ path: path.join(accountOut, `account-passkeys-${label}.png`) });
    await page.selectOption("#profile-gender", "U");
    await page.fill("#profile-username", "x".repeat(3));
    await page.evaluate(() => {
      // A value only a hand-made request would send: the API's refusal, shown next to the field.
      const photo = document.querySelector<HTMLInputElement>("#profile-photo");
      if (photo) photo.type = "text";
      const select = document.querySelector<HTMLSelectElement>("#profile-gender");
      select?.add(new Option("?", "X", true, true));
    });
    await page.click("#profile button.primary");
    await page.locator(".field-error").first().waitFor();
    await page
      .locator("#profile")
      .screenshot({ path: path.join(accountOut, `account-profile-error-${label}.png`) });
    await page.goto(`${base}/account?ui_locales=en-US`);
    await page.fill("#phone-bind", freshPhone());
    await page.click('#phone button[formaction*="/phone/send-bind"]');
    await page.waitForURL(/send-bind/);
    await page
      .locator("#phone")
      .screenshot({ path: path.join(accountOut, `account-code-sent-${label}.png`) });
    await page.click('#mfa form[action*="/mfa/totp-start"] button');
    await page.waitForURL(/totp-start/);
    await page.locator("#mfa").screenshot({ path: path.join(accountOut, `account-totp-${label}.png`) });
    const secret = (await page.locator("#totp-secret").textContent()) ?? "";
    await page.fill("#totp-code", totpAt(`otpauth://totp/x?secret=${secret}&period=30&digits=6`, Date.now()));
    await page.click('#mfa form[action*="/mfa/totp-confirm"] button');
    await page.locator("#recovery-code").waitFor();
    await page
      .locator("#mfa")
      .screenshot({ path: path.join(accountOut, `account-recovery-code-${label}.png`) });
    await page.goto(`${base}/account/reauth?section=password&ui_locales=en-US`);
    await shot("account-reauth");
    await page.goto(`${base}/account?ui_locales=zh-CN`);
    await shot("account-zh-CN");
    await page.goto(`${base}/account?ui_locales=en-US`);
    await page.check('#delete input[name="method"][value="email"]').catch(() => undefined);
    await page.click('#delete button[formaction*="/delete/send-code"]');
    await page.waitForURL(/send-code/);
    await page.fill("#delete-code", h.ctx.outbox.lastCodeFor(email, "CHANNEL_DELETE_ACCOUNT") ?? "");
    await page.check('#delete input[name="confirm"]');
    await page.click("#delete button.danger");
    await page.waitForURL(/delete\/confirm/);
    await shot("account-deleted");
    await context.close();
  }
}
const browser = await launchChromium();
try {
  // Named and branded before anything reads (and caches) the rows.
  const appId = await pagesClient(h, ["https://rp.example.com/cb"]);
  await h.ctx.db.kysely
    .updateTable("applications")
    .set({ name: "Acme Notes" })
    .where("id", "=", appId)
    .execute();
  await h.ctx.db.kysely
    .updateTable("user_pools")
    .set({ name: "Acme", settings: JSON.stringify({ branding: { accentColor: "#0f766e" } }) })
    .where("id", "=", h.boot.userPoolId)
    .execute();
  const email = "ann@example.com";
  const up = await signUpByEmail(h, email, "correct horse 7");
  // A user with an authenticator, and one without a factor, for the MFA step's pages.
  await enableFactors(h, ["OTP", "SMS", "EMAIL"]);
  await enrolOtp(h, await signIn(h, email, "correct horse 7"));
  const newcomer = await signUpByEmail(h, "bo@example.com", "correct horse 7");
  /** An interaction past the password, at the MFA step in `phase`. */
  const atStep = async (userId: string, phase: "prove" | "enrol") => {
    const uid = await loginInteraction(h, { uiLocales: "en-US" });
    await h.ctx.oidc.interactions.saveMfaStep(uid, { userId, method: "password", phase });
    return uid;
  };
  const base = await h.app.listen({ port: 0, host: "127.0.0.1" });

  /** Each page: its name and how to reach it (a fresh interaction each time). */
  const pages: [string, () => Promise<string>][] = [
    ["sign-in-password", async () => `/interaction/${await loginInteraction(h, { uiLocales: "en-US" })}`],
    [
      "sign-in-sms",
      async () => `/interaction/${await loginInteraction(h, { uiLocales: "en-US" })}?method=sms`,
    ],
    ["sign-in-zh-CN", async () => `/interaction/${await loginInteraction(h, { uiLocales: "zh-CN" })}`],
    ["sign-up", async () => `/interaction/${await loginInteraction(h, { uiLocales: "en-US" })}/sign-up`],
    [
      "forgot-password",
      async () => `/interaction/${await loginInteraction(h, { uiLocales: "en-US" })}/forgot-password`,
    ],
    [
      "consent",
      async () =>
        `/interaction/${await consentInteraction(h, up.data.userId, { uiLocales: "en-US", scope: "openid profile email offline_access" })}`,
    ],
    [
      "logout",
      async () => `/logout/${await h.ctx.oidc.logout.create({ appId: h.boot.appId })}?ui_locales=en-US`,
    ],
    ["error", async () => "/interaction/expired-or-unknown?ui_locales=en-US"],
    ["mfa", async () => `/interaction/${await atStep(up.data.userId, "prove")}/mfa`],
  ];
  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    const v = await newVisitor(browser, { viewport });
    for (const [name, url] of pages) {
      await v.page.goto(`${base}${await url()}`);
      await v.page.screenshot({ path: path.join(out, `${name}-${label}.png`), fullPage: true });
    }
    // A form after a wrong password: the error as the user sees it.
    await v.page.goto(`${base}/interaction/${await loginInteraction(h, { uiLocales: "en-US" })}`);
    await v.page.getByLabel(/Email/).first().fill(email);
    await v.page.getByLabel("Password").fill("not the password");
    await v.page.getByRole("button", { name: "Sign in" }).click();
    await v.page.getByRole("alert").waitFor();
    await v.page.screenshot({ path: path.join(out, `sign-in-wrong-password-${label}.png`), fullPage: true });
    // Forced enrolment of an authenticator, then its recovery code.
    await v.page.goto(`${base}/interaction/${await atStep(newcomer.data.userId, "enrol")}/mfa`);
    await v.page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await v.page.locator("#otpauth").waitFor();
    await v.page.screenshot({ path: path.join(out, `mfa-enrol-${label}.png`), fullPage: true });
    const uri = (await v.page.locator("#otpauth").getAttribute("href")) as string;
    await v.page.getByLabel("Code the app shows").fill(totpAt(uri, Date.now()));
    await v.page.getByRole("button", { name: "Confirm" }).click();
    await v.page.locator("#recovery-code").waitFor();
    await v.page.screenshot({ path: path.join(out, `mfa-recovery-${label}.png`), fullPage: true });
    await h.ctx.mfa.resetUserFactors(h.boot.userPoolId, newcomer.data.userId);
    await v.context.close();
    // With script on: the passkey button (docs/passkeys.md), shown where the browser can use passkeys.
    const js = await browser.newContext({ viewport });
    const page = await js.newPage();
    await page.goto(`${base}/interaction/${await loginInteraction(h, { uiLocales: "en-US" })}`);
    await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
    await page.screenshot({ path: path.join(out, `sign-in-passkey-${label}.png`), fullPage: true });
    // The "add a passkey" prompt after a password sign-in (its form shown by its script).
    const prompted = await loginInteraction(h, { uiLocales: "en-US" });
    await h.ctx.oidc.interactions.saveMfaStep(prompted, {
      userId: newcomer.data.userId,
      method: "password",
      phase: "passkey",
    });
    await page.goto(`${base}/interaction/${prompted}/passkey-prompt`);
    await page.getByRole("button", { name: "Add a passkey" }).waitFor();
    await page.screenshot({ path: path.join(out, `passkey-prompt-${label}.png`), fullPage: true });
    await js.close();
  }
  await accountScreenshots(base);
  console.log(
    `screenshots written to ${path.relative(process.cwd(), out)} and ${path.relative(process.cwd(), accountOut)}`,
  );
} finally {
  await browser.close();
  await close();
}
