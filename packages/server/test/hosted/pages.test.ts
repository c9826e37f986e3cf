import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { createApp, signUpByEmail } from "../helpers/auth.js";
import { freshEmail, freshPhone } from "../helpers/codes.js";
import { describeEachDialect } from "../helpers/harness.js";
import {
  alertOf,
  authorizationRequest,
  consentInteraction,
  FormBrowser,
  loginInteraction,
  pagesClient,
} from "../helpers/pages.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

const clock = new FakeClock();
const RESUME = /^\/oidc\/auth\/resume\/[A-Za-z0-9_-]{22}$/;

// The hosted pages through inject: what a browser without JavaScript gets (docs/hosted-pages.md).
describeEachDialect(
  "hosted pages: forms, CSRF, CSP, language, hostile input",
  (h) => {
    const password = "correct horse 7";
    let email = "";
    let userId = "";

    it("setup: a user, the application's redirect URIs", async () => {
      email = freshEmail("pages");
      const up = await signUpByEmail(h(), email, password);
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      userId = up.data.userId;
      await pagesClient(h(), ["https://rp.example.com/cb", "com.example.app:/cb"]);
    });

    it("sign-in page: labelled form, login_hint prefilled, strict CSP naming the client's origins", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { loginHint: "ann@example.com" });
      const res = await b.get(`/interaction/${uid}?method=password`);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /^text\/html; charset=utf-8/);
      assert.equal(res.headers["cache-control"], "no-store");
      const csp = String(res.headers["content-security-policy"]);
      assert.match(
        csp,
        /^default-src 'none'; script-src 'nonce-[A-Za-z0-9_-]{22}'; style-src 'self' 'sha256-[A-Za-z0-9+/=]+'; img-src 'self' data:; /,
      );
      assert.match(csp, /form-action 'self' https:\/\/rp\.example\.com com\.example\.app:;/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      // The only scripts are the passkey sign-in's two files of /assets, under this response's nonce.
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      const scripts = [...res.body.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
      assert.equal(scripts.length, 2);
      for (const tag of scripts)
        assert.match(
          tag,
          new RegExp(`^<script nonce="${nonce}" src="/assets/v-[0-9a-f]+/[a-z-]+\\.js" defer>$`),
        );
      const again = await b.get(`/interaction/${uid}?method=password`);
      assert.notEqual(/'nonce-([^']+)'/.exec(String(again.headers["content-security-policy"]))?.[1], nonce);
      for (const id of ["account", "password"]) assert.match(res.body, new RegExp(`<label for="${id}">`));
      assert.match(res.body, /id="account"[^>]*value="ann@example.com"/);
      assert.ok(b.lastToken.length > 10);
      assert.ok(b.cookies.has("gatehouse_csrf"), "the CSRF secret is a cookie");
      const setCookie = String(res.headers["set-cookie"]);
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Lax/);
    });

    it("sign in by password: a 303 to the resume URL with the browser session cookie", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      await b.get(`/interaction/${uid}`);
      const res = await b.post(`/interaction/${uid}/password`, { account: email, password });
      assert.equal(res.statusCode, 303, res.body);
      assert.match(String(res.headers.location), RESUME);
      assert.ok(b.cookies.has("gatehouse_session"));
      const session = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
      assert.equal(session?.userId, userId);
      // Single use: the answered interaction's page is gone.
      const again = await b.get(`/interaction/${uid}`, { "accept-language": "en" });
      assert.equal(again.statusCode, 400);
      assert.match(again.body, /expired or was already used/);
    });

    it("sign in: a wrong password and an unknown account get the same answer", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      await b.get(`/interaction/${uid}`);
      const wrong = await b.post(`/interaction/${uid}/password`, { account: email, password: "nope nope 1" });
      const unknown = await b.post(`/interaction/${uid}/password`, { account: freshEmail("x"), password });
      assert.equal(wrong.statusCode, 403);
      assert.equal(unknown.statusCode, 403);
      assert.equal(alertOf(wrong.body), "The account or the password is wrong.");
      assert.equal(alertOf(unknown.body), alertOf(wrong.body));
      assert.match(
        wrong.body,
        new RegExp(`id="account"[^>]*value="${email}"`),
        "the account stays filled in",
      );
      assert.ok(!b.cookies.has("gatehouse_session"));
    });

    it("sign in by SMS code: the code from the outbox, then a 303", async () => {
      const phone = freshPhone();
      const up = await h().api("POST", "/api/v3/signup", {
        connection: "PASSCODE",
        passCodePayload: { phone, passCode: await smsCode(phone, "CHANNEL_REGISTER") },
      });
      assert.equal(up.statusCode, 200, JSON.stringify(up));
      clock.advance(120_000);
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      await b.get(`/interaction/${uid}?method=sms`);
      const sent = await b.post(`/interaction/${uid}/send-code`, { channel: "sms", phone });
      assert.equal(sent.statusCode, 200, sent.body);
      assert.match(sent.body, /class="notice"/);
      assert.match(sent.body, new RegExp(`id="phone"[^>]*value="${phone}"`));
      const code = h().ctx.outbox.lastCodeFor(phone, "CHANNEL_LOGIN");
      assert.ok(code);
      const res = await b.post(`/interaction/${uid}/code`, { channel: "sms", phone, code });
      assert.equal(res.statusCode, 303, res.body);
      assert.match(String(res.headers.location), RESUME);
    });

    it("sign up by phone code and sign in by email code", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      await b.get(`/interaction/${uid}/sign-up?method=phone-code`);
      const phone = freshPhone();
      const sent = await b.post(`/interaction/${uid}/sign-up/send-code`, { method: "phone-code", phone });
      assert.equal(sent.statusCode, 200, sent.body);
      const code = h().ctx.outbox.lastCodeFor(phone, "CHANNEL_REGISTER");
      assert.ok(code);
      const up = await b.post(`/interaction/${uid}/sign-up`, { method: "phone-code", phone, code });
      assert.equal(up.statusCode, 303, up.body);
      const user = await h().ctx.repos.users.findUserByPhone(h().boot.userPoolId, `+86${phone}`);
      assert.equal(user?.phone_verified, 1);

      // A user of its own: a first code sign-in proves the address and drops an older password.
      const mailbox = freshEmail("email-code");
      await signUpByEmail(h(), mailbox, password);
      const other = new FormBrowser(h());
      const uid2 = await loginInteraction(h());
      await other.get(`/interaction/${uid2}?method=email`);
      await other.post(`/interaction/${uid2}/send-code`, { channel: "email", email: mailbox });
      const emailCode = h().ctx.outbox.lastCodeFor(mailbox, "CHANNEL_LOGIN");
      assert.ok(emailCode);
      const res = await other.post(`/interaction/${uid2}/code`, {
        channel: "email",
        email: mailbox,
        code: emailCode,
      });
      assert.equal(res.statusCode, 303, res.body);
    });

    it("the account lockout holds on the page: past the limit even the right password is refused", async () => {
      await patchPoolSettings(h(), {
        loginAnomalyDetection: {
          accountLockLoginPasswordFailCheck: { enabled: true, limit: 2, timeInterval: 300 },
        },
      });
      const victim = freshEmail("locked");
      await signUpByEmail(h(), victim, password);
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      await b.get(`/interaction/${uid}`);
      for (let i = 0; i < 2; i++)
        await b.post(`/interaction/${uid}/password`, { account: victim, password: "wrong 1" });
      const locked = await b.post(`/interaction/${uid}/password`, { account: victim, password });
      assert.equal(locked.statusCode, 403);
      assert.equal(alertOf(locked.body), "Too many failed attempts. Try again later or reset your password.");
      await patchPoolSettings(h(), {
        loginAnomalyDetection: {
          accountLockLoginPasswordFailCheck: { enabled: true, limit: 5, timeInterval: 300 },
        },
      });
      clock.advance(301_000);
    });

    it("an application that enables only some methods gets only those", async () => {
      const { appId } = await createApp(h(), "client_secret_post", {
        redirectUris: ["https://rp.example.com/cb"],
        loginConfig: { enabledBasicLoginMethods: ["EMAIL_PASSWORD"] },
      });
      const app = await h().ctx.repos.applications.findApplicationById(appId);
      assert.ok(app);
      const uid = await h().ctx.oidc.interactions.create({
        kind: "login",
        app,
        request: { ...authorizationRequest(h(), { clientId: appId, uiLocales: "en-US" }) },
      });
      const b = new FormBrowser(h());
      const page = await b.get(`/interaction/${uid}?method=sms`);
      assert.match(page.body, /<label for="account">Email<\/label>/);
      assert.doesNotMatch(page.body, /method=sms/, "no SMS tab");
      assert.doesNotMatch(page.body, /id="phone"/);
      const code = await b.post(`/interaction/${uid}/send-code`, { channel: "sms", phone: freshPhone() });
      assert.equal(code.statusCode, 400);
      assert.equal(alertOf(code.body), "This way of signing in is not enabled for this application.");
      const byName = await b.post(`/interaction/${uid}/password`, { account: "someone", password });
      assert.equal(alertOf(byName.body), "This way of signing in is not enabled for this application.");
      const ok = await b.post(`/interaction/${uid}/password`, { account: email, password });
      assert.equal(ok.statusCode, 303, alertOf(ok.body));
    });

    async function smsCode(phone: string, channel: string) {
      const res = await h().api("POST", "/api/v3/send-sms", { channel, phoneNumber: phone });
      assert.equal(res.statusCode, 200, JSON.stringify(res));
      const code = h().ctx.outbox.lastCodeFor(phone, channel);
      assert.ok(code);
      return code;
    }

    it("a POST without the CSRF token, or with another browser's, is refused with the error page", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      await b.get(`/interaction/${uid}`);
      const none = await b.post(`/interaction/${uid}/password`, { account: email, password }, { csrf: null });
      assert.equal(none.statusCode, 403);
      assert.match(none.body, /This form has expired or was not sent from this page/);
      const other = new FormBrowser(h());
      await other.get(`/interaction/${uid}`);
      const forged = await b.post(
        `/interaction/${uid}/password`,
        { account: email, password },
        { csrf: other.lastToken },
      );
      assert.equal(forged.statusCode, 403);
      const noCookie = new FormBrowser(h());
      const missing = await noCookie.post(
        `/interaction/${uid}/password`,
        { account: email, password },
        { csrf: b.lastToken },
      );
      assert.equal(missing.statusCode, 403);
      assert.ok((await h().ctx.oidc.interactions.find(uid)) !== undefined, "the interaction is untouched");
      for (const browser of [b, other, noCookie])
        assert.ok(!browser.cookies.has("gatehouse_session"), "a refused form starts no browser session");
    });

    it("language: ui_locales of the query, then of the request, then Accept-Language, then the pool", async () => {
      const b = new FormBrowser(h());
      const zh = await loginInteraction(h(), { uiLocales: "zh-CN en" });
      assert.match((await b.get(`/interaction/${zh}`)).body, /<html lang="zh-CN">[\s\S]*<h1>登录<\/h1>/);
      const query = await b.get(`/interaction/${zh}?ui_locales=en-US`);
      assert.match(query.body, /<html lang="en-US">[\s\S]*<h1>Sign in<\/h1>/);
      assert.match(
        query.body,
        /action="\/interaction\/[^"]+\/password\?ui_locales=en-US"/,
        "forms keep the choice",
      );
      const plain = await loginInteraction(h());
      const accept = await b.get(`/interaction/${plain}`, {
        "accept-language": "fr;q=1, en-GB;q=0.8, zh;q=0.5",
      });
      assert.match(accept.body, /<html lang="en-US">/);
      await patchPoolSettings(h(), { defaultLanguage: "en-US" });
      assert.match(
        (await b.get(`/interaction/${plain}`, { "accept-language": "de" })).body,
        /<html lang="en-US">/,
      );
      await patchPoolSettings(h(), { defaultLanguage: "zh-CN" });
      assert.match(
        (await b.get(`/interaction/${plain}`, { "accept-language": "de" })).body,
        /<html lang="zh-CN">/,
      );
    });

    it("branding: the pool's name, logo and accent colour; the logo's origin is allowed by the CSP", async () => {
      await patchPoolSettings(h(), {
        branding: { logoUrl: "https://cdn.example.net/logo.png", accentColor: "#FFD700" },
      });
      const b = new FormBrowser(h());
      const res = await b.get(`/interaction/${await loginInteraction(h())}`);
      assert.match(res.body, /<img class="logo" src="https:\/\/cdn.example.net\/logo.png"/);
      assert.match(res.body, /<style>:root\{--accent:#ffd700;--on-accent:#000000;--link:#1d4ed8\}<\/style>/);
      assert.match(
        String(res.headers["content-security-policy"]),
        /img-src 'self' data: https:\/\/cdn\.example\.net;/,
      );
      const pool = await h().ctx.repos.pools.findPoolById(h().boot.userPoolId);
      assert.ok(pool && res.body.includes(`<p class="pool">${pool.name}</p>`));
      await patchPoolSettings(h(), { branding: { logoUrl: "", accentColor: "#1d4ed8" } });
    });

    it("hostile forms answer a clear error page, never a 500", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      await b.get(`/interaction/${uid}`);
      const cases: [string, Record<string, string | string[]>, number][] = [
        [`/interaction/${uid}/password`, { account: [email, "b"], password }, 400],
        [`/interaction/${uid}/password`, { account: "a".repeat(5000), password }, 400],
        [`/interaction/${uid}/code`, { channel: "fax", phone: "1" }, 400],
        [`/interaction/${uid}/code`, { channel: "sms", phone: "not a phone", code: "123456" }, 400],
        [`/interaction/${uid}/send-code`, { channel: "sms", phone: "\u0000<script>" }, 400],
        ["/interaction/no-such-uid/password", { account: email, password }, 400],
        [`/interaction/${"x".repeat(100)}/password`, { account: email, password }, 400],
      ];
      for (const [url, fields, status] of cases) {
        const res = await b.post(url, fields);
        assert.equal(
          res.statusCode,
          status,
          `${url} ${JSON.stringify(fields).slice(0, 80)}: ${res.body.slice(0, 300)}`,
        );
        assert.match(String(res.headers["content-type"]), /^text\/html/);
        assert.ok(!res.body.includes("<script>"), url);
        assert.doesNotMatch(res.body, /at .*\.js:\d+/, "no stack trace");
      }
      for (const url of [`/interaction/${uid}/nothing-here`, "/logout/x/y/z"]) {
        const missing = await b.get(url, { "accept-language": "en" });
        assert.equal(missing.statusCode, 404, url);
        assert.match(missing.body, /There is no such page/);
      }
      // Found by fuzz-pages.test.ts (GATEHOUSE_FUZZ_SEED=1761501903): JSON before.
      for (const [method, url] of [
        ["DELETE", `/interaction/${uid}`],
        ["PUT", "/account"],
        ["PATCH", "/logout/x"],
        ["DELETE", `/interaction/${uid}/password`],
        ["POST", "/account"],
      ] as const) {
        const form = method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {};
        const res = await h().inject({
          method,
          url,
          headers: { "accept-language": "en", ...form },
          ...(method === "POST" ? { payload: "a=1" } : {}),
        });
        assert.equal(res.statusCode, 404, `${method} ${url}`);
        assert.match(String(res.headers["content-type"]), /^text\/html/);
        assert.match(res.body, /There is no such page/);
      }
      // GATEHOUSE_FUZZ_SEED=1756197343: a NUL in the query of POST /account answered the envelope.
      const nul = await h().inject({
        method: "POST",
        url: "/account?%00=x",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "a=1",
      });
      assert.equal(nul.statusCode, 400);
      assert.match(nul.body, /^<!doctype html>/i);
      const odd = await b.get("/interaction/%3Cscript%3E");
      assert.equal(odd.statusCode, 400);
      assert.match(odd.body, /<html lang=/);
      const json = await h().inject({
        method: "POST",
        url: `/interaction/${uid}/password`,
        headers: {
          "content-type": "application/json",
          cookie: `gatehouse_csrf=${b.cookies.get("gatehouse_csrf")}`,
        },
        payload: JSON.stringify({ _csrf: b.lastToken, account: email, password }),
      });
      assert.equal(json.statusCode, 415);
      assert.match(json.body, /does not accept/);
      const big = await b.post(`/interaction/${uid}/password`, {
        account: email,
        password: "p".repeat(2_000_000),
      });
      assert.equal(big.statusCode, 413);
    });

    it("sign up with email and password signs the new user in", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      const page = await b.get(`/interaction/${uid}/sign-up?method=email-password`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<label for="email">/);
      const fresh = freshEmail("signup");
      const res = await b.post(`/interaction/${uid}/sign-up`, {
        method: "email-password",
        email: fresh,
        password: "another fine pw 9",
      });
      assert.equal(res.statusCode, 303, res.body);
      const session = await h().ctx.oidc.browserSessions.read(b.cookies.get("gatehouse_session"));
      const user = await h().ctx.repos.users.findUserById(h().boot.userPoolId, session?.userId ?? "");
      assert.equal(user?.email, fresh);
      const taken = new FormBrowser(h());
      const uid2 = await loginInteraction(h(), { uiLocales: "en-US" });
      await taken.get(`/interaction/${uid2}/sign-up`);
      const again = await taken.post(`/interaction/${uid2}/sign-up`, {
        method: "email-password",
        email: fresh,
        password: "another fine pw 9",
      });
      assert.equal(again.statusCode, 409);
      assert.match(alertOf(again.body) ?? "", /already exists/);
    });

    it("sign up is refused when the pool closes it", async () => {
      await patchPoolSettings(h(), { registerDisabled: true });
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      const page = await b.get(`/interaction/${uid}`);
      assert.doesNotMatch(page.body, /\/sign-up"/, "no sign-up link");
      await b.get(`/interaction/${uid}/sign-up`);
      const res = await b.post(`/interaction/${uid}/sign-up`, {
        method: "email-password",
        email: freshEmail(),
        password: "another fine pw 9",
      });
      assert.equal(res.statusCode, 403);
      await patchPoolSettings(h(), { registerDisabled: false });
    });

    it("forgot password: the same answer for an unknown address; a code and a new password for a known one", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { uiLocales: "en-US" });
      await b.get(`/interaction/${uid}/forgot-password?method=email`);
      const nobody = freshEmail("nobody");
      const unknown = await b.post(`/interaction/${uid}/forgot-password/send-code`, {
        channel: "email",
        email: nobody,
      });
      const known = await b.post(`/interaction/${uid}/forgot-password/send-code`, {
        channel: "email",
        email,
      });
      assert.equal(unknown.statusCode, 200);
      assert.equal(known.statusCode, 200);
      const notice = (html: string) => /<p class="notice" role="status">([^<]*)<\/p>/.exec(html)?.[1];
      assert.equal(notice(unknown.body), notice(known.body));
      assert.equal(h().ctx.outbox.lastCodeFor(nobody, "CHANNEL_RESET_PASSWORD"), undefined);
      const code = h().ctx.outbox.lastCodeFor(email, "CHANNEL_RESET_PASSWORD");
      assert.ok(code);
      const weak = await b.post(`/interaction/${uid}/forgot-password`, {
        channel: "email",
        email,
        code,
        password: "",
      });
      assert.equal(weak.statusCode, 400, "the policy answers before the code is spent");
      const done = await b.post(`/interaction/${uid}/forgot-password`, {
        channel: "email",
        email,
        code,
        password: "brand new pw 11",
      });
      assert.equal(done.statusCode, 200, done.body);
      assert.match(done.body, /Your password has been changed/);
      const signIn = await b.post(`/interaction/${uid}/password`, {
        account: email,
        password: "brand new pw 11",
      });
      assert.equal(signIn.statusCode, 303);
    });

    it("consent: the scopes in words; allow continues, deny goes back with access_denied", async () => {
      const b = new FormBrowser(h());
      const uid = await consentInteraction(h(), userId, {
        scope: "openid email offline_access",
        uiLocales: "en-US",
      });
      const page = await b.get(`/interaction/${uid}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<li>See your email address<\/li>/);
      assert.match(page.body, /<li>Stay signed in when you are not using it<\/li>/);
      const allow = await b.post(`/interaction/${uid}/consent`, { decision: "allow" });
      assert.equal(allow.statusCode, 303);
      assert.match(String(allow.headers.location), RESUME);
      const uid2 = await consentInteraction(h(), userId, { state: "s-2" });
      await b.get(`/interaction/${uid2}`);
      const deny = await b.post(`/interaction/${uid2}/consent`, { decision: "deny" });
      assert.equal(deny.statusCode, 303);
      const back = new URL(String(deny.headers.location));
      assert.equal(back.origin + back.pathname, "https://rp.example.com/cb");
      assert.equal(back.searchParams.get("error"), "access_denied");
      assert.equal(back.searchParams.get("state"), "s-2");
    });

    it("cancel on the sign-in page: access_denied to the client", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h(), { state: "s-3" });
      await b.get(`/interaction/${uid}`);
      const res = await b.post(`/interaction/${uid}/abort`, {});
      assert.equal(res.statusCode, 303);
      assert.equal(new URL(String(res.headers.location)).searchParams.get("error"), "access_denied");
    });

    it("logout confirmation: asks first, then ends the browser session and returns with state", async () => {
      const b = new FormBrowser(h());
      const uid = await loginInteraction(h());
      await b.get(`/interaction/${uid}`);
      await b.post(`/interaction/${uid}/password`, { account: email, password: "brand new pw 11" });
      const cookie = b.cookies.get("gatehouse_session");
      assert.ok(cookie);
      const id = await h().ctx.oidc.logout.create({
        appId: h().boot.appId,
        postLogoutRedirectUri: "https://rp.example.com/bye",
        state: "s-9",
      });
      const page = await b.get(`/logout/${id}?ui_locales=en-US`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Do you want to sign out of/);
      assert.match(
        String(page.headers["content-security-policy"]),
        /form-action 'self' https:\/\/rp\.example\.com;/,
      );
      const stay = await b.post(`/logout/${id}/stay?ui_locales=en-US`, {});
      assert.match(stay.body, /You are still signed in/);
      assert.ok(await h().ctx.oidc.browserSessions.read(cookie));
      const res = await b.post(`/logout/${id}/confirm`, {});
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, "https://rp.example.com/bye?state=s-9");
      assert.equal(await h().ctx.oidc.browserSessions.read(cookie), undefined);
      assert.ok(!b.cookies.has("gatehouse_session"), "the cookie is cleared");
      const gone = await b.get(`/logout/${id}`);
      assert.equal(gone.statusCode, 400);
    });

    it("assets: the stylesheet under a versioned path, cached for a year", async () => {
      const b = new FormBrowser(h());
      const page = await b.get(`/interaction/${await loginInteraction(h())}`);
      const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.body)?.[1];
      assert.match(href ?? "", /^\/assets\/v-[0-9a-f]{12}\/hosted\.css$/);
      const css = await h().inject({ method: "GET", url: href as string });
      assert.equal(css.statusCode, 200);
      assert.match(String(css.headers["content-type"]), /^text\/css/);
      assert.match(
        String(css.headers["cache-control"]),
        /max-age=31536000.*immutable|immutable.*max-age=31536000/,
      );
      assert.equal((await h().inject({ method: "GET", url: "/assets/v-0/hosted.css" })).statusCode, 404);
    });
  },
  { clock },
);
