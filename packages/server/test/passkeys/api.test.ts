import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { jwtPayload, signInByPassword } from "../helpers/auth.js";
import { assertApiError, rejectsWith } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";
import { as, register } from "../helpers/profile.js";
import { SoftAuthenticator } from "../helpers/soft-authenticator.js";

const clock = new FakeClock(Date.UTC(2026, 11, 7, 6, 0, 0));

/** A call with the user's token, any method (the SDK's PUT and DELETE among them). */
function call(h: Harness, token: string | undefined) {
  return async (method: "GET" | "POST" | "PUT" | "DELETE", url: string, body?: unknown) => {
    const res = await h.inject({
      method,
      url,
      headers: { "x-authing-app-id": h.boot.appId, ...(token ? { authorization: token } : {}) },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    assert.ok(res.statusCode < 500, `${method} ${url} → HTTP ${res.statusCode} ${res.body}`);
    return res.json();
  };
}

const originOf = (h: Harness) => h.ctx.passkeys.rp.origins[0] as string;

/** A signed-in user with a passkey registered through the V3 endpoints. */
async function withPasskey(h: Harness, auth = new SoftAuthenticator(), name?: string) {
  const u = await register(h, { email: true });
  const api = call(h, u.token);
  const options = await api("GET", "/api/v3/webauthn/registration");
  assert.equal(options.statusCode, 200, JSON.stringify(options));
  const done = await api("POST", "/api/v3/webauthn/registration", {
    ticket: options.data.ticket,
    registrationCredential: auth.create(options.data.registrationOptions, originOf(h)),
    ...(name ? { name } : {}),
  });
  assert.equal(done.statusCode, 200, JSON.stringify(done));
  assert.deepEqual(done.data, { verified: true });
  return { u, api, auth };
}

async function signInOptions(h: Harness) {
  const r = await call(h, undefined)("GET", "/api/v3/webauthn/authentication");
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r.data as { ticket: string; authenticationOptions: { challenge: string; rpId: string } };
}

async function signInWith(h: Harness, auth: SoftAuthenticator, origin = originOf(h), body: object = {}) {
  const o = await signInOptions(h);
  return call(h, undefined)("POST", "/api/v3/webauthn/authentication", {
    ticket: o.ticket,
    authenticationCredential: auth.get(o.authenticationOptions, origin),
    ...body,
  });
}

describeEachDialect(
  "passkeys: the V3 endpoints",
  (h) => {
    it("registration options: bound to the public URL's RP id, discoverable, the user's passkeys excluded", async () => {
      const { api, auth } = await withPasskey(h());
      const again = await api("GET", "/api/v3/webauthn/registration");
      const o = again.data.registrationOptions;
      assert.equal(o.rp.id, new URL(h().ctx.config.publicUrl).hostname);
      assert.equal(o.authenticatorSelection.residentKey, "required");
      assert.deepEqual(
        o.excludeCredentials.map((c: { id: string }) => c.id),
        [auth.id],
      );
      assert.equal(o.timeout, 300_000);
    });

    it("sign in with a passkey: the same token data as /api/v3/signin, history `webauthn`, the counter moves", async () => {
      const { u, auth } = await withPasskey(h());
      clock.advance(1000);
      const r = await signInWith(h(), auth, originOf(h()), {
        options: { scope: "openid profile offline_access" },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.verified, true);
      const set = r.data.tokenSet;
      assert.deepEqual(Object.keys(set).sort(), [
        "access_token",
        "expire_in",
        "id_token",
        "refresh_token",
        "scope",
        "token_type",
      ]);
      assert.equal(jwtPayload(set.access_token).sub, u.userId);
      const profile = await as(h(), set.access_token)("GET", "/api/v3/get-profile");
      assert.equal(profile.data.userId, u.userId);
      const history = await as(h(), set.access_token)("GET", "/api/v3/get-my-login-history?page=1&limit=10");
      assert.equal(history.data.list[0].loginMethod, "webauthn");
      assert.equal(history.data.list[0].success, true);

      const row = await h().ctx.repos.webauthn.findCredentialByCredentialId(h().boot.userPoolId, auth.id);
      assert.equal(Number(row?.counter), 1);
      assert.equal(Number(row?.last_used_at), clock.now());
      assert.equal((await signInWith(h(), auth)).statusCode, 200);
      const after = await h().ctx.repos.webauthn.findCredentialByCredentialId(h().boot.userPoolId, auth.id);
      assert.equal(Number(after?.counter), 2);
    });

    it("a replayed assertion is refused: the ticket is spent, and a fresh ticket does not sign the old challenge", async () => {
      const { auth } = await withPasskey(h());
      const o = await signInOptions(h());
      const body = {
        ticket: o.ticket,
        authenticationCredential: auth.get(o.authenticationOptions, originOf(h())),
      };
      const anon = call(h(), undefined);
      assert.equal((await anon("POST", "/api/v3/webauthn/authentication", body)).statusCode, 200);
      assertApiError(await anon("POST", "/api/v3/webauthn/authentication", body), "WEBAUTHN_TICKET_INVALID");
      const fresh = await signInOptions(h());
      assertApiError(
        await anon("POST", "/api/v3/webauthn/authentication", { ...body, ticket: fresh.ticket }),
        "WEBAUTHN_RESPONSE_INVALID",
      );
    });

    it("a counter that goes backwards (a cloned authenticator) is refused; both 0 (a synced passkey) is not", async () => {
      const { auth } = await withPasskey(h());
      assert.equal((await signInWith(h(), auth)).statusCode, 200);
      assert.equal((await signInWith(h(), auth)).statusCode, 200);
      auth.counter = 0; // the clone answers with counter 1, the server has seen 2
      assertApiError(await signInWith(h(), auth), "WEBAUTHN_RESPONSE_INVALID");

      const synced = new SoftAuthenticator({ synced: true });
      await withPasskey(h(), synced);
      assert.equal((await signInWith(h(), synced)).statusCode, 200);
      assert.equal((await signInWith(h(), synced)).statusCode, 200);
      const row = await h().ctx.repos.webauthn.findCredentialByCredentialId(h().boot.userPoolId, synced.id);
      assert.equal(Number(row?.counter), 0);
      assert.equal(row?.device_type, "multiDevice");
      assert.equal(row?.backed_up, 1);
    });

    it("a response made for another origin or RP id is refused, and spends the ticket", async () => {
      const { auth } = await withPasskey(h());
      assertApiError(await signInWith(h(), auth, "https://evil.example"), "WEBAUTHN_RESPONSE_INVALID");
      const o = await signInOptions(h());
      const foreign = auth.get(o.authenticationOptions, originOf(h()), "evil.example");
      const anon = call(h(), undefined);
      const body = { ticket: o.ticket, authenticationCredential: foreign };
      assertApiError(
        await anon("POST", "/api/v3/webauthn/authentication", body),
        "WEBAUTHN_RESPONSE_INVALID",
      );
      assertApiError(await anon("POST", "/api/v3/webauthn/authentication", body), "WEBAUTHN_TICKET_INVALID");
      // Registration checks the origin too.
      const u = await register(h(), { email: true });
      const api = call(h(), u.token);
      const r = (await api("GET", "/api/v3/webauthn/registration")).data;
      assertApiError(
        await api("POST", "/api/v3/webauthn/registration", {
          ticket: r.ticket,
          registrationCredential: new SoftAuthenticator().create(
            r.registrationOptions,
            "https://evil.example",
          ),
        }),
        "WEBAUTHN_RESPONSE_INVALID",
      );
    });

    it("tickets: 5 minutes, single use, bound to the user who asked", async () => {
      const u = await register(h(), { email: true });
      const other = await register(h(), { email: true });
      const api = call(h(), u.token);
      const soft = new SoftAuthenticator();
      const late = (await api("GET", "/api/v3/webauthn/registration")).data;
      clock.advance(5 * 60_000);
      assertApiError(
        await api("POST", "/api/v3/webauthn/registration", {
          ticket: late.ticket,
          registrationCredential: soft.create(late.registrationOptions, originOf(h())),
        }),
        "WEBAUTHN_TICKET_INVALID",
      );
      const mine = (await api("GET", "/api/v3/webauthn/registration")).data;
      const body = {
        ticket: mine.ticket,
        registrationCredential: soft.create(mine.registrationOptions, originOf(h())),
      };
      assertApiError(
        await call(h(), other.token)("POST", "/api/v3/webauthn/registration", body),
        "WEBAUTHN_TICKET_INVALID",
      );
      // The other user's attempt spent it: a ticket serves one ceremony only.
      assertApiError(await api("POST", "/api/v3/webauthn/registration", body), "WEBAUTHN_TICKET_INVALID");
      const ok = (await api("GET", "/api/v3/webauthn/registration")).data;
      const good = {
        ticket: ok.ticket,
        registrationCredential: soft.create(ok.registrationOptions, originOf(h())),
      };
      assert.equal((await api("POST", "/api/v3/webauthn/registration", good)).statusCode, 200);
      assertApiError(await api("POST", "/api/v3/webauthn/registration", good), "WEBAUTHN_TICKET_INVALID");
      const dup = (await api("GET", "/api/v3/webauthn/registration")).data;
      assertApiError(
        await api("POST", "/api/v3/webauthn/registration", {
          ticket: dup.ticket,
          registrationCredential: soft.create(dup.registrationOptions, originOf(h())),
        }),
        "PASSKEY_EXISTS",
      );
      // An expired sign-in ticket too.
      const o = await signInOptions(h());
      clock.advance(5 * 60_000 + 1);
      assertApiError(
        await call(h(), undefined)("POST", "/api/v3/webauthn/authentication", {
          ticket: o.ticket,
          authenticationCredential: soft.get(o.authenticationOptions, originOf(h())),
        }),
        "WEBAUTHN_TICKET_INVALID",
      );
    });

    it("hostile input: clear errors, never a 500, nothing changed", async () => {
      const { u, api, auth } = await withPasskey(h());
      const anon = call(h(), undefined);
      const broken = await h().inject({
        method: "POST",
        url: "/api/v3/webauthn/authentication",
        headers: { "x-authing-app-id": h().boot.appId, "content-type": "application/json" },
        payload: '{"ticket": "x", "authenticationCredential": ',
      });
      assertApiError(broken.json(), "MALFORMED_JSON");
      const empty = await anon("POST", "/api/v3/webauthn/authentication", {});
      assert.equal(empty.statusCode, 400);
      assert.match(empty.message, /ticket/);
      const o = await signInOptions(h());
      const good = auth.get(o.authenticationOptions, originOf(h()));
      const cases: [string, object][] = [
        ["not base64url", { ...good, response: { ...good.response, signature: "%%%" } }],
        ["huge", { ...good, response: { ...good.response, clientDataJSON: "A".repeat(9000) } }],
        ["wrong type", { ...good, type: "password" }],
      ];
      for (const [what, credential] of cases) {
        const r = await anon("POST", "/api/v3/webauthn/authentication", {
          ticket: o.ticket,
          authenticationCredential: credential,
        });
        assert.equal(r.statusCode, 400, `${what}: ${JSON.stringify(r)}`);
      }
      const garbage = {
        ...good,
        response: { ...good.response, authenticatorData: "AAAA", signature: "AAAA" },
      };
      assertApiError(
        await anon("POST", "/api/v3/webauthn/authentication", {
          ticket: o.ticket,
          authenticationCredential: garbage,
        }),
        "WEBAUTHN_RESPONSE_INVALID",
      );
      const unknown = new SoftAuthenticator();
      unknown.userHandle = Buffer.from(u.userId).toString("base64url");
      assertApiError(await signInWith(h(), unknown), "PASSKEY_UNKNOWN");
      const badTicket = await anon("POST", "/api/v3/webauthn/authentication", {
        ticket: "no-such-ticket",
        authenticationCredential: auth.get((await signInOptions(h())).authenticationOptions, originOf(h())),
      });
      assertApiError(badTicket, "WEBAUTHN_TICKET_INVALID");
      const reg = (await api("GET", "/api/v3/webauthn/registration")).data;
      assertApiError(
        await api("POST", "/api/v3/webauthn/registration", {
          ticket: reg.ticket,
          registrationCredential: {
            id: "AAAA",
            rawId: "AAAA",
            type: "public-key",
            response: { clientDataJSON: "e30", attestationObject: "oA" },
          },
        }),
        "WEBAUTHN_RESPONSE_INVALID",
      );
      assertApiError(await anon("GET", "/api/v3/webauthn/registration"), "TOKEN_MISSING");
      const list = await api("GET", "/api/v3/webauthn/credentials");
      assert.equal(list.data.totalCount, 1, "nothing was added");
    });

    it("GenAuth's other names: registration/initialize + finalize, login/initialize + finalize", async () => {
      const u = await register(h(), { email: true });
      const api = call(h(), u.token);
      const soft = new SoftAuthenticator();
      const o = await api("POST", "/api/v3/webauthn/registration/initialize");
      assert.equal(o.statusCode, 200, JSON.stringify(o));
      const done = await api("POST", "/api/v3/webauthn/registration/finalize", {
        ticket: o.data.ticket,
        registrationCredential: soft.create(o.data.registrationOptions, originOf(h())),
      });
      assert.deepEqual(done.data, { verified: true }, JSON.stringify(done));
      const anon = call(h(), undefined);
      const start = await anon("POST", "/api/v3/webauthn/login/initialize");
      const r = await anon("POST", "/api/v3/webauthn/login/finalize", {
        ticket: start.data.ticket,
        credential: soft.get(start.data.authenticationOptions, originOf(h())),
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(jwtPayload(r.data.tokenSet.access_token).sub, u.userId);
    });

    it("second factor (the MFA step's seam): only the user's passkeys, a ticket bound to the user", async () => {
      const { u, auth } = await withPasskey(h());
      const { auth: theirs } = await withPasskey(h());
      const poolId = h().boot.userPoolId;
      const o = await h().ctx.passkeys.startSecondFactor(poolId, u.userId);
      assert.deepEqual(
        o.authenticationOptions.allowCredentials?.map((c) => c.id),
        [auth.id],
      );
      // Not a first-factor ticket: the sign-in endpoint refuses it.
      assertApiError(
        await call(h(), undefined)("POST", "/api/v3/webauthn/authentication", {
          ticket: o.ticket,
          authenticationCredential: auth.get(o.authenticationOptions, originOf(h())),
        }),
        "WEBAUTHN_TICKET_INVALID",
      );
      const again = await h().ctx.passkeys.startSecondFactor(poolId, u.userId);
      await assert.rejects(
        h().ctx.passkeys.verifySecondFactor(poolId, u.userId, {
          ticket: again.ticket,
          credential: theirs.get(again.authenticationOptions, originOf(h())),
        }),
        rejectsWith("PASSKEY_UNKNOWN"),
      );
      const ok = await h().ctx.passkeys.verifySecondFactor(poolId, u.userId, {
        ticket: again.ticket,
        credential: auth.get(again.authenticationOptions, originOf(h())),
      });
      assert.deepEqual(ok, { amr: "hwk", userVerified: true });
      const bind = await call(h(), u.token)("POST", "/api/v3/webauthn/mfa-bind/initialize");
      assert.equal(bind.statusCode, 200);
      assert.ok(bind.data.ticket && bind.data.registrationOptions.challenge);
    });

    it("the sign-in lockout applies: an account locked by wrong passwords is refused before its passkey is checked", async () => {
      const { u, auth } = await withPasskey(h());
      await patchPoolSettings(h(), {
        loginAnomalyDetection: {
          accountLockLoginPasswordFailCheck: { enabled: true, limit: 3, timeInterval: 60 },
        },
      });
      try {
        for (let i = 0; i < 3; i++) {
          const r = await signInByPassword(
            h(),
            { email: u.email, password: "wrong" },
            { clientIp: "192.0.2.9" },
          );
          assert.equal(r.apiCode, 2333);
        }
        const counter = Number(
          (await h().ctx.repos.webauthn.findCredentialByCredentialId(h().boot.userPoolId, auth.id))?.counter,
        );
        const locked = await signInWith(h(), auth);
        assert.deepEqual([locked.statusCode, locked.apiCode], [403, 2057], JSON.stringify(locked));
        const row = await h().ctx.repos.webauthn.findCredentialByCredentialId(h().boot.userPoolId, auth.id);
        assert.equal(Number(row?.counter), counter, "nothing was verified or recorded");
        const failed = await h()
          .ctx.db.kysely.selectFrom("login_history")
          .select(["reason"])
          .where("user_id", "=", u.userId)
          .where("method", "=", "webauthn")
          .execute();
        assert.deepEqual(
          failed.map((r) => r.reason),
          ["locked"],
        );
      } finally {
        await patchPoolSettings(h(), {
          loginAnomalyDetection: {
            accountLockLoginPasswordFailCheck: { enabled: false, limit: 3, timeInterval: 60 },
          },
        });
      }
    });

    it("a suspended user's passkey is refused", async () => {
      const { u, auth } = await withPasskey(h());
      await h().ctx.repos.users.updateUser(h().boot.userPoolId, u.userId, { status: "Suspended" });
      assertApiError(await signInWith(h(), auth), "ACCOUNT_SUSPENDED");
    });

    it("list, rename and remove: by id, or by the SDK's literal placeholder with the id in the body or query", async () => {
      const { u, api, auth } = await withPasskey(h(), new SoftAuthenticator(), "MacBook");
      const second = new SoftAuthenticator();
      clock.advance(1000);
      const r = (await api("GET", "/api/v3/webauthn/registration")).data;
      await api("POST", "/api/v3/webauthn/registration", {
        ticket: r.ticket,
        registrationCredential: second.create(r.registrationOptions, originOf(h())),
        authenticatorCode: "fingerprint",
      });
      const list = await api("GET", "/api/v3/webauthn/credentials?page=1&limit=10");
      assert.equal(list.data.totalCount, 2);
      const [first, other] = list.data.list;
      assert.equal(first.name, "MacBook");
      assert.equal(first.credentialId, auth.id);
      assert.deepEqual(first.transports, ["internal"]);
      assert.equal(first.aaguid, "00112233-4455-6677-8899-aabbccddeeff");
      assert.equal(first.lastUsedAt, null);
      assert.equal(other.name, "Passkey");
      const paged = await api("POST", "/api/v3/webauthn/page-authenticator-device", {});
      assert.equal(paged.data.totalCount, 2);

      const checked = await api("POST", "/api/v3/webauthn/check-valid-credentials-by-credIds", {
        credIds: [auth.id, "not-mine"],
      });
      assert.deepEqual(checked.data, [auth.id]);

      assert.equal(
        (await api("PUT", `/api/v3/webauthn/credentials/${first.id}`, { name: "Work laptop" })).data.success,
        true,
      );
      const renamed = await api("PUT", "/api/v3/webauthn/credentials/%7BcredentialId%7D", {
        name: "Phone",
        credentialId: other.credentialId,
      });
      assert.equal(renamed.data.success, true);
      const names = (await api("GET", "/api/v3/webauthn/credentials")).data.list.map(
        (c: { name: string }) => c.name,
      );
      assert.deepEqual(names, ["Work laptop", "Phone"]);
      for (const noId of [
        await api("PUT", "/api/v3/webauthn/credentials/%7BcredentialId%7D", { name: "x" }),
        await api("DELETE", "/api/v3/webauthn/credentials/%7BcredentialId%7D"),
      ]) {
        assert.equal(noId.statusCode, 400);
        assert.match(noId.message, /credentialId is required/);
      }
      // Another user's passkey is not found, and stays.
      const stranger = await register(h(), { email: true });
      assertApiError(
        await call(h(), stranger.token)("DELETE", `/api/v3/webauthn/credentials/${first.id}`),
        "PASSKEY_NOT_FOUND",
      );

      const removed = await api("POST", "/api/v3/webauthn/remove-credential/%7BcredentialID%7D", {
        credentialId: first.id,
      });
      assert.equal(removed.data.success, true);
      assertApiError(await signInWith(h(), auth), "PASSKEY_UNKNOWN");
      const byQuery = await api(
        "DELETE",
        `/api/v3/webauthn/credentials/%7BcredentialId%7D?credentialId=${other.credentialId}`,
      );
      assert.equal(byQuery.data.success, true);
      assert.equal((await api("GET", "/api/v3/webauthn/credentials")).data.totalCount, 0);

      const events = await h()
        .ctx.db.kysely.selectFrom("events")
        .select("name")
        .where("user_id", "=", u.userId)
        .where("name", "like", "user:passkey-%")
        .orderBy("seq")
        .execute();
      assert.deepEqual(
        events.map((e) => e.name),
        [
          "user:passkey-added",
          "user:passkey-added",
          "user:passkey-updated",
          "user:passkey-updated",
          "user:passkey-removed",
          "user:passkey-removed",
        ],
      );
    });
  },
  { clock },
);
