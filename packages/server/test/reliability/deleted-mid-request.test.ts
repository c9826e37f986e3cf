import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { accountBrowser } from "../helpers/account.js";
import { createApp, form, signedInUser, signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { enableFactors } from "../helpers/mfa.js";
import { Browser, expectStop } from "../helpers/oidc-rp.js";
import { alertOf, consentInteraction, FormBrowser, loginInteraction, pagesClient } from "../helpers/pages.js";
import { as, newEmail, register, sendEmail } from "../helpers/profile.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 8, 0, 0));
const CB = "https://rp.example.com/cb";

/** The passkey form's ticket and registration options (HTML-escaped JSON in a data attribute). */
function passkeyFormOf(html: string) {
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const options = JSON.parse(
    (/data-options="([^"]+)"/.exec(html)?.[1] ?? "")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&"),
  );
  return { ticket, options };
}

/**
 * A user deleted (by an administrator, on this node or another) while a request that already read
 * them is under way: the write that follows refers to an account gone. Each way answers as it does
 * for a user that does not exist — never a 500 — and keeps nothing (docs/behaviour-and-errors.md
 * §1.10). The sign-in's ways in are test/auth/deleted-mid-sign-in.test.ts; the code grant's,
 * test/oidc/code-grant.test.ts.
 */
describeEachDialect(
  "a user deleted while a request that read them runs",
  (h) => {
    const deleteNow = (userId: string) => h().ctx.repos.userAdmin.deleteUsers(h().boot.userPoolId, [userId]);

    /** Runs `during` with `userId` deleted right after the user's next read by id. */
    async function deletedAfterRead<T>(userId: string, during: () => Promise<T>) {
      const users = h().ctx.repos.users;
      const read = users.findUserById;
      users.findUserById = async (...args) => {
        const row = await read(...args);
        if (args[1] === userId) {
          users.findUserById = read;
          await deleteNow(userId);
        }
        return row;
      };
      try {
        return await during();
      } finally {
        users.findUserById = read;
      }
    }

    /** Runs `during` with `userId` deleted right before the next flow token is written (their last read done). */
    async function deletedBeforeFlowToken<T>(userId: string, during: () => Promise<T>) {
      const flowTokens = h().ctx.repos.flowTokens;
      const insert = flowTokens.insertFlowToken;
      flowTokens.insertFlowToken = async (...args) => {
        flowTokens.insertFlowToken = insert;
        await deleteNow(userId);
        return insert(...args);
      };
      try {
        return await during();
      } finally {
        flowTokens.insertFlowToken = insert;
      }
    }

    const rowsOf = (
      table:
        | "flow_tokens"
        | "identities"
        | "mfa_factors"
        | "oidc_consents"
        | "sessions"
        | "webauthn_credentials",
      userId: string,
    ) => h().ctx.db.kysely.selectFrom(table).select("user_id").where("user_id", "=", userId).execute();

    it("/api/v3 with the user's token: MFA enrolment request — 401/2207, nothing kept", async () => {
      await enableFactors(h(), ["OTP"]);
      try {
        const u = await register(h(), { email: true });
        const r = await deletedAfterRead(u.userId, () =>
          as(h(), u.token)("POST", "/api/v3/send-enroll-factor-request", { factorType: "OTP", profile: {} }),
        );
        assert.deepEqual([r.statusCode, r.apiCode], [401, 2207], JSON.stringify(r));
        assert.deepEqual(await rowsOf("flow_tokens", u.userId), []);
      } finally {
        await enableFactors(h(), []);
      }
    });

    it("/api/v3 with the user's token: change-email request — 401/2207", async () => {
      const u = await register(h(), { email: true });
      const next = `next-${u.userId}@example.com`;
      const oldEmailPassCode = await sendEmail(h(), u.email!, "CHANNEL_UPDATE_EMAIL", u.token);
      const newEmailPassCode = await sendEmail(h(), next, "CHANNEL_UPDATE_EMAIL", u.token);
      const r = await deletedAfterRead(u.userId, () =>
        as(h(), u.token)("POST", "/api/v3/verify-update-email-request", {
          verifyMethod: "EMAIL_PASSCODE",
          emailPassCodePayload: { oldEmail: u.email, oldEmailPassCode, newEmail: next, newEmailPassCode },
        }),
      );
      assert.deepEqual([r.statusCode, r.apiCode], [401, 2207], JSON.stringify(r));
      assert.deepEqual(await rowsOf("flow_tokens", u.userId), []);
    });

    it("the refresh grant: deleted between the grant's read of the user and its batch — invalid_grant", async () => {
      const t = await signedInUser(
        h(),
        "gone-refresh@example.com",
        "correct horse 1",
        "openid offline_access",
      );
      const res = await deletedAfterRead(t.userId, () =>
        form(h(), "/oidc/token", {
          grant_type: "refresh_token",
          refresh_token: t.refresh_token,
          client_id: h().boot.appId,
          client_secret: h().boot.appSecret,
        }),
      );
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.deepEqual(
        [res.body.error, res.body.error_description],
        ["invalid_grant", "refresh token is invalid, expired or revoked"],
      );
      assert.deepEqual(await rowsOf("sessions", t.userId), []);
    });

    it("the implicit flow: deleted between the authorization's read of the user and its session — to the sign-in", async () => {
      const userId = (await signUpByEmail(h(), "gone-implicit@example.com", "correct horse 1")).data.userId;
      const app = await createApp(h(), "client_secret_post", {
        redirectUris: [CB],
        responseTypes: ["code", "id_token token"],
      });
      const browser = new Browser(h);
      const q = { client_id: app.appId, redirect_uri: CB, response_type: "code", scope: "openid" };
      const first = expectStop(await browser.visit(`/oidc/auth?${new URLSearchParams(q)}`), "interaction");
      expectStop(await browser.signIn(first.uid, userId), "callback");
      const implicit = { ...q, response_type: "id_token token", nonce: "n" };
      const stop = await deletedAfterRead(userId, () =>
        browser.visit(`/oidc/auth?${new URLSearchParams(implicit)}`),
      );
      expectStop(stop, "interaction");
      const none = await browser.visit(`/oidc/auth?${new URLSearchParams({ ...implicit, prompt: "none" })}`);
      assert.equal(expectStop(none, "callback").url.hash.includes("error=login_required"), true);
      assert.deepEqual(await rowsOf("sessions", userId), []);
    });

    it("management: add-group-members, a member deleted after the check — 404 USER_NOT_FOUND", async () => {
      const { userId } = await signedInUser(h(), "gone-member@example.com");
      const post = (path: string, body: unknown) => mgmt(h(), "POST", path, { body });
      await post("/api/v3/create-group", { code: "gone-crew", name: "Crew", description: "" });
      const admin = h().ctx.repos.userAdmin;
      const find = admin.findUsersByIds;
      admin.findUsersByIds = async (...args) => {
        const rows = await find(...args);
        admin.findUsersByIds = find;
        await deleteNow(userId);
        return rows;
      };
      let r: any;
      try {
        r = await post("/api/v3/add-group-members", { code: "gone-crew", userIds: [userId] });
      } finally {
        admin.findUsersByIds = find;
      }
      assert.deepEqual([r.statusCode, r.apiCode], [404, 2004], JSON.stringify(r));
    });
    /** The API's MFA step on GenAuth's V2 paths, with the bare MFA token. */
    async function mfaStep(path: string, mfaToken: string, body: unknown) {
      const res = await h().inject({
        method: "POST",
        url: path,
        headers: { authorization: mfaToken, "x-authing-app-id": h().boot.appId },
        payload: body as object,
      });
      return res.json();
    }
    async function mfaTokenOf(u: { email?: string; password?: string }) {
      const r = await h().api("POST", "/api/v3/signin", {
        connection: "PASSWORD",
        passwordPayload: { account: u.email, password: u.password },
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
      assert.equal(r.apiCode, 1636, JSON.stringify(r));
      return r.data.mfaToken as string;
    }

    it("the MFA step: an authenticator associated for a user deleted before it is stored — MFA_TOKEN_INVALID", async () => {
      const u = await register(h(), { email: true });
      await enableFactors(h(), ["OTP"], { apiSignin: true, policy: "required" });
      try {
        const mfaToken = await mfaTokenOf(u);
        const r = await deletedBeforeFlowToken(u.userId, () =>
          mfaStep("/api/v2/mfa/totp/associate", mfaToken, {}),
        );
        assert.deepEqual([r.statusCode, r.apiCode], [401, 2021], JSON.stringify(r));
        assert.deepEqual(await rowsOf("flow_tokens", u.userId), []);
      } finally {
        await enableFactors(h(), []);
      }
    });

    it("the MFA step: an email factor enrolled by its code for a user deleted after the token's read — MFA_TOKEN_INVALID", async () => {
      const u = await register(h(), { email: true });
      await enableFactors(h(), ["EMAIL"], { apiSignin: true, policy: "required" });
      try {
        const mfaToken = await mfaTokenOf(u);
        const email = newEmail();
        const code = await sendEmail(h(), email, "CHANNEL_VERIFY_MFA");
        const r = await deletedAfterRead(u.userId, () =>
          mfaStep("/api/v2/applications/mfa/email/verify", mfaToken, { email, code }),
        );
        assert.deepEqual([r.statusCode, r.apiCode], [401, 2021], JSON.stringify(r));
        assert.deepEqual(await rowsOf("mfa_factors", u.userId), []);
      } finally {
        await enableFactors(h(), []);
      }
    });

    it("management: link-identity for a user deleted after the check — 404 USER_NOT_FOUND", async () => {
      const { userId } = await signedInUser(h(), "gone-linked@example.com");
      const idp = await mgmt(h(), "POST", "/api/v3/create-ext-idp", {
        body: { type: "oidc", name: "Gone Corp" },
      });
      const r = await deletedAfterRead(userId, () =>
        mgmt(h(), "POST", "/api/v3/link-identity", {
          body: { userId, extIdpId: idp.data.id, userIdInIdp: "upstream-1" },
        }),
      );
      assert.deepEqual([r.statusCode, r.apiCode], [404, 2004], JSON.stringify(r));
      assert.deepEqual(await rowsOf("identities", userId), []);
    });

    /** Runs `during` with `userId` deleted right after the next WebAuthn ticket is spent (before the passkey is stored). */
    async function deletedAfterTicket<T>(userId: string, during: () => Promise<T>) {
      const webauthn = h().ctx.repos.webauthn;
      const consume = webauthn.consumeChallenge;
      webauthn.consumeChallenge = async (...args) => {
        const row = await consume(...args);
        webauthn.consumeChallenge = consume;
        await deleteNow(userId);
        return row;
      };
      try {
        return await during();
      } finally {
        webauthn.consumeChallenge = consume;
      }
    }
    const passkeyOrigin = () => h().ctx.passkeys.rp.origins[0] as string;

    it("/api/v3 with the user's token: a passkey registered for a user deleted after its ticket is spent — 401/2207, nothing kept", async () => {
      const u = await register(h(), { email: true });
      const options = await as(h(), u.token)("GET", "/api/v3/webauthn/registration");
      assert.equal(options.statusCode, 200, JSON.stringify(options));
      const r = await deletedAfterTicket(u.userId, () =>
        as(h(), u.token)("POST", "/api/v3/webauthn/registration", {
          ticket: options.data.ticket,
          registrationCredential: new SoftAuthenticator().create(
            options.data.registrationOptions,
            passkeyOrigin(),
          ),
        }),
      );
      assert.deepEqual([r.statusCode, r.apiCode], [401, 2207], JSON.stringify(r));
      assert.deepEqual(await rowsOf("webauthn_credentials", u.userId), []);
    });

    it("the account page: a passkey added for a user deleted after its ticket is spent — signed out, nothing kept", async () => {
      const email = "gone-account-passkey@example.com";
      const userId = (await signUpByEmail(h(), email, "correct horse 1")).data.userId;
      const b = await accountBrowser(h(), email, "correct horse 1");
      const page = await b.get("/account", { "accept-language": "en" });
      const { ticket, options } = passkeyFormOf(page.body);
      const res = await deletedAfterTicket(userId, () =>
        b.post("/account/passkeys/add", {
          name: "Laptop",
          ticket,
          credential: JSON.stringify(new SoftAuthenticator().create(options, passkeyOrigin())),
        }),
      );
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(
        alertOf(res.body),
        "You are not signed in any more. Open your account page again to sign in.",
      );
      assert.deepEqual(await rowsOf("webauthn_credentials", userId), []);
    });

    it("the account page: an authenticator started for a user deleted before it is stored — signed out, nothing kept", async () => {
      await enableFactors(h(), ["OTP"]);
      try {
        const email = "gone-account@example.com";
        const userId = (await signUpByEmail(h(), email, "correct horse 1")).data.userId;
        const b = await accountBrowser(h(), email, "correct horse 1");
        const res = await deletedBeforeFlowToken(userId, () => b.post("/account/mfa/totp-start", {}));
        assert.equal(res.statusCode, 401, res.body);
        assert.equal(
          alertOf(res.body),
          "You are not signed in any more. Open your account page again to sign in.",
        );
        assert.deepEqual(await rowsOf("flow_tokens", userId), []);
      } finally {
        await enableFactors(h(), []);
      }
    });
    const PAGE_ERROR = "This did not work. Try again.";

    it("the hosted sign-in: deleted after the pages read the account, before the browser session is written — the page's error, no session", async () => {
      const email = "gone-browser@example.com";
      const userId = (await signUpByEmail(h(), email, "correct horse 1")).data.userId;
      await pagesClient(h());
      const uid = await loginInteraction(h());
      const b = new FormBrowser(h());
      await b.get(`/interaction/${uid}?method=password`);
      const browserSessions = h().ctx.oidc.browserSessions;
      const start = browserSessions.start;
      browserSessions.start = async (...args) => {
        browserSessions.start = start;
        await deleteNow(userId);
        return start(...args);
      };
      let res: Awaited<ReturnType<FormBrowser["post"]>>;
      try {
        res = await b.post(`/interaction/${uid}/password`, { account: email, password: "correct horse 1" });
      } finally {
        browserSessions.start = start;
      }
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(alertOf(res.body), PAGE_ERROR);
      assert.equal(b.cookies.has("gatehouse_session"), false);
      assert.deepEqual(await rowsOf("sessions", userId), []);
    });

    it("the consent page: the user deleted after the page was shown — the page's error, nothing remembered", async () => {
      const userId = (await signUpByEmail(h(), "gone-consent@example.com", "correct horse 1")).data.userId;
      await pagesClient(h());
      const uid = await consentInteraction(h(), userId, { uiLocales: "en-US" });
      const b = new FormBrowser(h());
      assert.equal((await b.get(`/interaction/${uid}`)).statusCode, 200);
      await deleteNow(userId);
      const res = await b.post(`/interaction/${uid}/consent`, { decision: "allow" });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(alertOf(res.body), PAGE_ERROR);
      assert.deepEqual(await rowsOf("oidc_consents", userId), []);
    });

    it("the hosted MFA step: an authenticator started for a user deleted before it is stored — the page's error, no session", async () => {
      await enableFactors(h(), ["OTP"]);
      try {
        const email = "gone-hosted-mfa@example.com";
        const userId = (await signUpByEmail(h(), email, "correct horse 1")).data.userId;
        await pagesClient(h());
        const uid = await loginInteraction(h(), { uiLocales: "en-US", acrValues: ["mfa"] });
        const b = new FormBrowser(h());
        await b.get(`/interaction/${uid}`);
        const signedIn = await b.post(`/interaction/${uid}/password`, {
          account: email,
          password: "correct horse 1",
        });
        assert.equal(signedIn.statusCode, 303, signedIn.body);
        await b.get(`/interaction/${uid}/mfa`);
        const res = await deletedBeforeFlowToken(userId, () =>
          b.post(`/interaction/${uid}/mfa/enrol/start`, { factor: "otp" }),
        );
        assert.equal(res.statusCode, 404, res.body);
        assert.equal(alertOf(res.body), PAGE_ERROR);
        assert.equal(b.cookies.has("gatehouse_session"), false);
        assert.deepEqual(await rowsOf("flow_tokens", userId), []);
      } finally {
        await enableFactors(h(), []);
      }
    });

    /** A password sign-in on the pages in a browser that can make a passkey: the prompt, shown. */
    async function atPasskeyPrompt(email: string) {
      const userId = (await signUpByEmail(h(), email, "correct horse 1")).data.userId as string;
      const b = new FormBrowser(h());
      const uid = String((await b.get("/account")).headers.location);
      await b.get(`${uid}?method=password`);
      const res = await b.post(`${uid}/password`, {
        account: email,
        password: "correct horse 1",
        webauthn: "platform",
      });
      assert.equal(res.headers.location, `${uid}/passkey-prompt`, res.body);
      const page = await b.get(`${uid}/passkey-prompt`, { "accept-language": "en" });
      assert.equal(page.statusCode, 200, page.body);
      return { userId, b, uid, page };
    }

    it("the passkey prompt: 'not now' for a user deleted after the prompt was shown — the sign-in's error, no session", async () => {
      const { userId, b, uid } = await atPasskeyPrompt("gone-prompt@example.com");
      await deleteNow(userId);
      const res = await b.post(`${uid}/passkey-prompt/skip`, { answer: "later" });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(alertOf(res.body), PAGE_ERROR);
      assert.equal(b.cookies.has("gatehouse_session"), false);
    });

    it("the passkey prompt: a passkey added for a user deleted after the prompt was shown — the sign-in's error, nothing kept", async () => {
      const { userId, b, uid, page } = await atPasskeyPrompt("gone-prompt-add@example.com");
      const { ticket, options } = passkeyFormOf(page.body);
      await deleteNow(userId);
      const res = await b.post(`${uid}/passkey-prompt`, {
        ticket,
        name: "Phone",
        credential: JSON.stringify(
          new SoftAuthenticator().create(options, h().ctx.passkeys.rp.origins[0] as string),
        ),
      });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(alertOf(res.body), PAGE_ERROR);
      assert.equal(b.cookies.has("gatehouse_session"), false);
      assert.deepEqual(await rowsOf("webauthn_credentials", userId), []);
    });
    /** Runs `during` with application `appId` deleted right after its next read. */
    async function appDeletedAfterRead<T>(appId: string, during: () => Promise<T>) {
      const apps = h().ctx.repos.applications;
      const read = apps.findApplicationById;
      apps.findApplicationById = async (...args) => {
        const row = await read(...args);
        if (args[0] === appId) {
          apps.findApplicationById = read;
          await apps.deletePoolApplication(h().boot.userPoolId, appId);
        }
        return row;
      };
      try {
        return await during();
      } finally {
        apps.findApplicationById = read;
      }
    }

    it("management: an application's access strategy, the application deleted after the check — 404 APP_NOT_FOUND", async () => {
      const { appId } = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      const r = await appDeletedAfterRead(appId, () =>
        mgmt(h(), "POST", "/api/v3/update-application-permission-strategy", {
          body: { appId, permissionStrategy: "DENY_ALL" },
        }),
      );
      assert.deepEqual([r.statusCode, r.apiCode], [404, 2011], JSON.stringify(r));
      const { appId: other } = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      const { userId } = await signedInUser(h(), "gone-app-access@example.com");
      const allowed = await appDeletedAfterRead(other, () =>
        mgmt(h(), "POST", "/api/v3/authorize-application-access", {
          body: { appId: other, list: [{ targetType: "USER", targetIdentifier: [userId], effect: "ALLOW" }] },
        }),
      );
      assert.deepEqual([allowed.statusCode, allowed.apiCode], [404, 2011], JSON.stringify(allowed));
    });

    it("management: a connection enabled for an application deleted after the check — 404 APP_NOT_FOUND", async () => {
      const { appId } = await createApp(h(), "client_secret_post", { redirectUris: [CB] });
      const idp = await mgmt(h(), "POST", "/api/v3/create-ext-idp", {
        body: { type: "oidc", name: "Gone App Corp" },
      });
      const conn = await mgmt(h(), "POST", "/api/v3/create-ext-idp-conn", {
        body: {
          extIdpId: idp.data.id,
          type: "oidc",
          identifier: "gone-app-corp",
          displayName: "Corp account",
          fields: { issuer: "https://idp.example.com", clientId: "gatehouse", clientSecret: "s".repeat(32) },
        },
      });
      assert.equal(conn.statusCode, 200, JSON.stringify(conn));
      const r = await appDeletedAfterRead(appId, () =>
        mgmt(h(), "POST", "/api/v3/change-ext-idp-conn-state", {
          body: { id: conn.data.id, enabled: true, appId },
        }),
      );
      assert.deepEqual([r.statusCode, r.apiCode], [404, 2011], JSON.stringify(r));
    });
    it("management: set-mfa-status for a user deleted after the check — 404 USER_NOT_FOUND", async () => {
      const { userId } = await signedInUser(h(), "gone-mfa-status@example.com");
      const r = await deletedAfterRead(userId, () =>
        mgmt(h(), "POST", "/api/v3/set-mfa-status", {
          body: { userId, mfaTriggerData: { totpMfaEnabled: true } },
        }),
      );
      assert.deepEqual([r.statusCode, r.apiCode], [404, 2004], JSON.stringify(r));
    });
  },
  { clock },
);
