import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { signInByCode, signInByPassword, signUpByEmail } from "../helpers/auth.js";
import { freshEmail, sendEmailCode } from "../helpers/codes.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { enrolOtp, totpAt } from "../helpers/mfa.js";
import { alertOf, FormBrowser, loginInteraction, pagesClient } from "../helpers/pages.js";
import { register } from "../helpers/profile.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));

/**
 * A user deleted (by an administrator, on this node or another) while their sign-in is under way:
 * after the sign-in read the account and before its login's batch wrote the session. Every way in
 * answers as for an account that does not exist — never a 500 — and keeps nothing of the login
 * (docs/behaviour-and-errors.md §4.4).
 */
describeEachDialect(
  "sign-in: the account deleted while the sign-in runs",
  (h) => {
    const deleteNow = (userId: string) => h().ctx.repos.userAdmin.deleteUsers(h().boot.userPoolId, [userId]);

    /** Runs `during` with `userId` deleted right before (or after) the user's next read by id. */
    async function deletedAtRead<T>(userId: string, when: "before" | "after", during: () => Promise<T>) {
      const users = h().ctx.repos.users;
      const read = users.findUserById;
      users.findUserById = async (...args) => {
        if (args[1] !== userId) return read(...args);
        users.findUserById = read;
        if (when === "before") await deleteNow(userId);
        const row = await read(...args);
        if (when === "after") await deleteNow(userId);
        return row;
      };
      try {
        return await during();
      } finally {
        users.findUserById = read;
      }
    }

    /** Runs `during` with `userId` deleted right after the next password hash is verified. */
    async function deletedAfterHash<T>(userId: string, during: () => Promise<T>): Promise<T> {
      const passwords = h().ctx.passwords;
      const verify = passwords.verify;
      passwords.verify = async (...args) => {
        passwords.verify = verify;
        const v = await verify(...args);
        await deleteNow(userId);
        return v;
      };
      try {
        return await during();
      } finally {
        passwords.verify = verify;
      }
    }

    async function nothingKept(h: Harness, userId: string, method: string) {
      const db = h.ctx.db.kysely;
      const sessions = await db.selectFrom("sessions").select("id").where("user_id", "=", userId).execute();
      assert.deepEqual(sessions, []);
      const users = await db.selectFrom("users").select("id").where("id", "=", userId).execute();
      assert.deepEqual(users, []);
      const history = await db
        .selectFrom("login_history")
        .select(["success", "reason"])
        .where("user_id", "=", userId)
        .where("method", "=", method)
        .execute();
      assert.deepEqual(
        history.map((r) => [Number(r.success), r.reason]),
        [[0, "account_not_found"]],
      );
    }

    it("password: deleted while the hash runs — 403/2333 as an unknown account, nothing kept", async () => {
      const email = freshEmail("gone-pw");
      const userId = (await signUpByEmail(h(), email, "correct horse 3")).data.userId;
      const res = await deletedAfterHash(userId, () =>
        signInByPassword(h(), { email, password: "correct horse 3" }, { scope: "openid offline_access" }),
      );
      assertApiError(res, "LOGIN_FAILED");
      assert.equal(res.apiCode, 2333);
      await nothingKept(h(), userId, "password:email");
    });

    for (const when of ["after", "before"] as const) {
      it(`code: deleted after the code was spent, ${when} the account's re-read — 403/2333, nothing kept`, async () => {
        const email = freshEmail(`gone-code-${when}`);
        const userId = (await signUpByEmail(h(), email, "correct horse 3")).data.userId;
        const passCode = await sendEmailCode(h(), email, "CHANNEL_LOGIN");
        const res = await deletedAtRead(userId, when, () => signInByCode(h(), { email, passCode }));
        assertApiError(res, "LOGIN_FAILED");
        await nothingKept(h(), userId, "passcode:email");
      });
    }

    it("the MFA step: deleted between the MFA token's read and the login — the token answers invalid", async () => {
      await h().ctx.repos.pools.setPoolMfaSettings(
        h().boot.userPoolId,
        JSON.stringify({ enabledFactors: ["OTP"], apiSignin: true }),
        h().ctx.clock.now(),
      );
      try {
        const u = await register(h(), { email: true });
        const { uri } = await enrolOtp(h(), u.token);
        clock.advance(30_000);
        const first = await signInByPassword(h(), { email: u.email, password: u.password });
        assertApiError(first, "MFA_REQUIRED");
        // Deleted once the second factor is proved, right before the login's batch.
        const tokens = h().ctx.tokens;
        const issue = tokens.issueForLogin;
        tokens.issueForLogin = async (...args) => {
          await deleteNow(u.userId);
          return issue(...args);
        };
        let res: any;
        try {
          res = (
            await h().inject({
              method: "POST",
              url: "/api/v2/applications/mfa/totp/verify",
              headers: { authorization: `Bearer ${first.data.mfaToken}`, "x-authing-app-id": h().boot.appId },
              payload: { totp: totpAt(uri, clock.now()) },
            })
          ).json();
        } finally {
          tokens.issueForLogin = issue;
        }
        assertApiError(res, "MFA_TOKEN_INVALID");
        const db = h().ctx.db.kysely;
        const sessions = await db
          .selectFrom("sessions")
          .select("id")
          .where("user_id", "=", u.userId)
          .execute();
        assert.deepEqual(sessions, []);
      } finally {
        await h().ctx.repos.pools.setPoolMfaSettings(h().boot.userPoolId, "{}", h().ctx.clock.now());
      }
    });

    it("the hosted pages: deleted while the hash runs — the page's error, no browser session", async () => {
      const email = freshEmail("gone-page");
      const userId = (await signUpByEmail(h(), email, "correct horse 3")).data.userId;
      await pagesClient(h(), ["https://rp.example.com/cb"]);
      const uid = await loginInteraction(h());
      const b = new FormBrowser(h());
      await b.get(`/interaction/${uid}?method=password`);
      const res = await deletedAfterHash(userId, () =>
        b.post(`/interaction/${uid}/password`, { account: email, password: "correct horse 3" }),
      );
      // The pages learn it one step later (the login itself refers to nobody on this channel),
      // when the second-factor plan reads the account: the page's error, no browser session.
      assert.equal(res.statusCode, 404);
      assert.equal(alertOf(res.body), "This did not work. Try again.");
      assert.equal(b.cookies.has("gatehouse_session"), false);
      const db = h().ctx.db.kysely;
      const opened = await db
        .selectFrom("oidc_browser_sessions")
        .select("session_id")
        .where("user_id", "=", userId)
        .execute();
      assert.deepEqual(opened, []);
    });
  },
  { clock },
);
