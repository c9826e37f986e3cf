import assert from "node:assert/strict";
import http from "node:http";
import type net from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { signUpByEmail } from "../helpers/auth.js";
import { axeViolations, chromiumAvailable, launchChromium, newVisitor, PHONE } from "../helpers/chromium.js";
import { freshEmail, freshPhone } from "../helpers/codes.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { consentInteraction, loginInteraction, pagesClient } from "../helpers/pages.js";
import { waitUntil } from "../helpers/wait.js";

// The hosted pages in Debian Chromium, without JavaScript (docs/hosted-pages.md): what only a
// browser shows — keyboard use, the CSP really letting the pages work, redirects after forms,
// layout at phone width, axe-core's accessibility rules. One browser for the file.
describe("hosted pages in Chromium", { skip: !chromiumAvailable() }, () => {
  let h: Harness;
  let close: () => Promise<void>;
  let browser: Browser;
  let base = "";
  const password = "correct horse 7";
  let email = "";
  let userId = "";
  /** The relying party: a listening server of its own, its redirect URI answers a small page. */
  let rp: http.Server;
  let RP = "";
  let CB = "";
  const login = (over: Parameters<typeof loginInteraction>[1] = {}) =>
    loginInteraction(h, { redirectUri: CB, ...over });
  const consent = (user: string, over: Parameters<typeof consentInteraction>[2] = {}) =>
    consentInteraction(h, user, { redirectUri: CB, ...over });

  before(async () => {
    ({ harness: h, close } = await createHarness("sqlite"));
    rp = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<p>rp</p>"),
    );
    await new Promise<void>((resolve) => rp.listen(0, "127.0.0.1", resolve));
    RP = `http://127.0.0.1:${(rp.address() as net.AddressInfo).port}`;
    CB = `${RP}/cb`;
    await pagesClient(h, [CB]);
    email = freshEmail("browser");
    const up = await signUpByEmail(h, email, password);
    userId = up.data.userId;
    base = await h.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rp?.close();
    await close?.();
  });

  /** The authorization resumes and the client receives its code. */
  async function reachesResume(page: Page) {
    await page.waitForURL(`${CB}?**`);
    assert.ok(new URL(page.url()).searchParams.get("code"), page.url());
  }

  async function sessionCookie(page: Page) {
    return (await page.context().cookies()).find((c) => c.name === "gatehouse_session");
  }

  it("sign in by password with the keyboard alone", async () => {
    const v = await newVisitor(browser);
    const uid = await login({ uiLocales: "en-US" });
    await v.page.goto(`${base}/interaction/${uid}?method=password`);
    assert.equal(
      await v.page.evaluate(() => document.activeElement?.id),
      "account",
      "the first field has focus",
    );
    await v.page.keyboard.type(email);
    await v.page.keyboard.press("Tab");
    await v.page.keyboard.type(password);
    await v.page.keyboard.press("Enter");
    await reachesResume(v.page);
    const cookie = await sessionCookie(v.page);
    assert.ok(cookie?.httpOnly);
    assert.equal(cookie?.sameSite, "Lax");
    assert.deepEqual(
      v.console.filter((l) => /Content Security Policy|Refused/.test(l)),
      [],
      "the page works within its own CSP",
    );
    await v.context.close();
  });

  it("sign in by SMS code, the code read from the outbox", async () => {
    const phone = freshPhone();
    await h.api("POST", "/api/v3/send-sms", { channel: "CHANNEL_REGISTER", phoneNumber: phone });
    await waitUntil(() => h.ctx.outbox.lastCodeFor(phone, "CHANNEL_REGISTER") !== undefined);
    const up = await h.api("POST", "/api/v3/signup", {
      connection: "PASSCODE",
      passCodePayload: { phone, passCode: h.ctx.outbox.lastCodeFor(phone, "CHANNEL_REGISTER") },
    });
    assert.equal(up.statusCode, 200, JSON.stringify(up));
    const v = await newVisitor(browser);
    await v.page.goto(`${base}/interaction/${await login({ uiLocales: "en-US" })}`);
    await v.page.getByRole("link", { name: "SMS code" }).click();
    await v.page.getByLabel("Phone number").fill(phone);
    await v.page.getByRole("button", { name: "Send code" }).click();
    await v.page.getByRole("status").waitFor();
    assert.ok(await waitUntil(() => h.ctx.outbox.lastCodeFor(phone, "CHANNEL_LOGIN") !== undefined));
    await v.page.getByLabel("Verification code").fill(h.ctx.outbox.lastCodeFor(phone, "CHANNEL_LOGIN") ?? "");
    await v.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await reachesResume(v.page);
    assert.ok(await sessionCookie(v.page));
    await v.context.close();
  });

  it("sign up by email and password", async () => {
    const v = await newVisitor(browser);
    await v.page.goto(`${base}/interaction/${await login({ uiLocales: "en-US" })}`);
    await v.page.getByRole("link", { name: "Create one" }).click();
    await v.page.getByRole("link", { name: "Email and password" }).click();
    const fresh = freshEmail("browser-signup");
    await v.page.getByLabel("Email").fill(fresh);
    await v.page.getByLabel("Password").fill("another fine pw 9");
    await v.page.getByRole("button", { name: "Create account" }).click();
    await reachesResume(v.page);
    const session = await h.ctx.oidc.browserSessions.read((await sessionCookie(v.page))?.value);
    const user = await h.ctx.repos.users.findUserById(h.boot.userPoolId, session?.userId ?? "");
    assert.equal(user?.email, fresh);
    await v.context.close();
  });

  it("forgot password: code by email, new password, then sign in with it", async () => {
    const v = await newVisitor(browser);
    await v.page.goto(`${base}/interaction/${await login({ uiLocales: "en-US" })}`);
    await v.page.getByRole("link", { name: "Forgot password?" }).click();
    await v.page.getByRole("link", { name: "Email" }).click();
    await v.page.getByLabel("Email").fill(email);
    await v.page.getByRole("button", { name: "Send code" }).click();
    await v.page.getByRole("status").waitFor();
    assert.ok(await waitUntil(() => h.ctx.outbox.lastCodeFor(email, "CHANNEL_RESET_PASSWORD") !== undefined));
    await v.page
      .getByLabel("Verification code")
      .fill(h.ctx.outbox.lastCodeFor(email, "CHANNEL_RESET_PASSWORD") ?? "");
    await v.page.getByLabel("New password").fill("brand new pw 11");
    await v.page.getByRole("button", { name: "Set new password" }).click();
    await v.page.getByText("Your password has been changed").waitFor();
    await v.page.getByRole("link", { name: "Back to sign in" }).click();
    await v.page.getByLabel(/Email/).first().fill(email);
    await v.page.getByLabel("Password").fill("brand new pw 11");
    await v.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await reachesResume(v.page);
    await v.context.close();
  });

  it("consent: allow continues; deny returns to the client with access_denied", async () => {
    const v = await newVisitor(browser);
    await v.page.goto(`${base}/interaction/${await consent(userId, { uiLocales: "en-US" })}`);
    await v.page.getByRole("button", { name: "Allow" }).click();
    // The consent goes on to the authorization's resume (which, for this interaction made without
    // a browser session, the OpenID Provider then refuses: the flow itself is browser-oidc.test.ts).
    await v.page.waitForURL(/\/oidc\/auth\/resume\/[A-Za-z0-9_-]{22}$/);
    await v.page.goto(`${base}/interaction/${await consent(userId, { uiLocales: "en-US", state: "s-7" })}`);
    await v.page.getByRole("button", { name: "Deny" }).click();
    await v.page.waitForURL(`${CB}?**`);
    const back = new URL(v.page.url());
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("state"), "s-7");
    await v.context.close();
  });

  it("logout: the confirmation ends the browser session and returns to the client", async () => {
    const v = await newVisitor(browser);
    await v.page.goto(`${base}/interaction/${await login({ uiLocales: "en-US" })}`);
    await v.page.getByLabel(/Email/).first().fill(email);
    await v.page.getByLabel("Password").fill("brand new pw 11");
    await v.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await reachesResume(v.page);
    const cookie = (await sessionCookie(v.page))?.value;
    assert.ok(await h.ctx.oidc.browserSessions.read(cookie));
    const id = await h.ctx.oidc.logout.create({
      appId: h.boot.appId,
      postLogoutRedirectUri: `${RP}/bye`,
      state: "s-9",
    });
    await v.page.goto(`${base}/logout/${id}?ui_locales=en-US`);
    await v.page.getByRole("button", { name: "Sign out" }).click();
    await v.page.waitForURL(`${RP}/bye?state=s-9`);
    assert.equal(await h.ctx.oidc.browserSessions.read(cookie), undefined);
    assert.equal(await sessionCookie(v.page), undefined);
    await v.context.close();
  });

  it("at phone width (360 px) nothing scrolls sideways and sign-in works", async () => {
    const v = await newVisitor(browser, { viewport: PHONE });
    await v.page.goto(`${base}/interaction/${await login({ uiLocales: "zh-CN" })}`);
    for (const path of ["", "/sign-up", "/forgot-password"]) {
      await v.page.goto(
        `${v.page
          .url()
          .split("?")[0]
          ?.replace(/\/(sign-up|forgot-password)$/, "")}${path}`,
      );
      const overflow = await v.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path || "/"} overflows by ${overflow}px`);
    }
    await v.page.goto(`${base}/interaction/${await login({ uiLocales: "zh-CN" })}`);
    const button = await v.page.getByRole("button", { name: "登录" }).boundingBox();
    assert.ok(button && button.x >= 0 && button.x + button.width <= PHONE.width, "the button fits");
    await v.page.getByLabel(/邮箱/).first().fill(email);
    await v.page.getByLabel("密码").fill("brand new pw 11");
    await v.page.getByRole("button", { name: "登录" }).click();
    await reachesResume(v.page);
    await v.context.close();
  });

  it("axe-core finds no violation on any page: both languages on a desktop, one at phone width", async () => {
    const logoutId = await h.ctx.oidc.logout.create({ appId: h.boot.appId });
    const pages = async (lang: string) => {
      const loginUid = await login({ uiLocales: lang });
      const consentUid = await consent(userId, {
        uiLocales: lang,
        scope: "openid profile email phone",
      });
      return [
        `/interaction/${loginUid}?method=password`,
        `/interaction/${loginUid}?method=sms`,
        `/interaction/${loginUid}?method=email`,
        `/interaction/${loginUid}/sign-up?method=email-password`,
        `/interaction/${loginUid}/sign-up?method=phone-code`,
        `/interaction/${loginUid}/forgot-password`,
        `/interaction/${consentUid}`,
        `/logout/${logoutId}?ui_locales=${lang}`,
        `/interaction/expired-or-unknown?ui_locales=${lang}`,
      ];
    };
    for (const viewport of [undefined, PHONE]) {
      const v = await newVisitor(browser, { bypassCSP: true, ...(viewport ? { viewport } : {}) });
      for (const lang of viewport ? ["zh-CN"] : ["en-US", "zh-CN"]) {
        for (const path of await pages(lang)) {
          await v.page.goto(`${base}${path}`);
          assert.deepEqual(await axeViolations(v.page), [], `${path} at ${viewport?.width ?? 1280}px`);
        }
      }
      await v.context.close();
    }
  });
});
