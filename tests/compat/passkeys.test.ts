import assert from "node:assert/strict";
import { it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { FakeClock } from "../../packages/server/src/lib/clock.js";
import { SoftAuthenticator } from "../../packages/server/test/helpers/soft-authenticator.js";
import { authClient, describeCompat, newEmail } from "./helpers.js";

/**
 * Passkeys and my devices through the UNMODIFIED official SDK (authing-node-sdk@4.0.1): every
 * AuthenticationClient WebAuthn method of docs/passkeys.md and `list` / `revoke` / `unbind`. The
 * browser's part (navigator.credentials) is played by a software authenticator.
 */
const clock = new FakeClock(Date.now());

describeCompat(
  "compat: passkeys and devices through authing-node-sdk@4.0.1",
  (g) => {
    const client = (accessToken?: string) => authClient(g(), "client_secret_post", { accessToken });
    const origin = () => g().h.ctx.passkeys.rp.origins[0] as string;

    async function user() {
      const anon = client();
      const email = newEmail("passkey");
      const password = "Secret-pass-123";
      assert.equal((await anon.signUpByEmailPassword({ email, password })).statusCode, 200);
      const tokens = await anon.signInByEmailPassword({ email, password });
      assert.equal(tokens.statusCode, 200, JSON.stringify(tokens));
      return { sdk: client(tokens.data.access_token), token: tokens.data.access_token as string, email };
    }

    async function registerWith(sdk: ReturnType<typeof client>, soft: SoftAuthenticator, name?: string) {
      const options = await sdk.initRegisterOptions();
      assert.equal(options.statusCode, 200, JSON.stringify(options));
      const verified = await sdk.verifyRegister({
        ticket: options.data.ticket,
        registrationCredential: soft.create(options.data.registrationOptions as any, origin()) as any,
        authenticatorCode: "other" as any,
        ...(name ? { name } : {}),
      } as any);
      assert.equal(verified.statusCode, 200, JSON.stringify(verified));
      assert.deepEqual(verified.data, { verified: true });
    }

    it("initRegisterOptions → verifyRegister, initAuthenticationOptions → verifyAuthentication: tokens", async () => {
      const { sdk } = await user();
      const soft = new SoftAuthenticator();
      await registerWith(sdk, soft, "Laptop");
      const anon = client();
      const start = await anon.initAuthenticationOptions();
      assert.equal(start.statusCode, 200, JSON.stringify(start));
      assert.equal(start.data.authenticationOptions.rpId, new URL(origin()).hostname);
      const signedIn = await anon.verifyAuthentication({
        ticket: start.data.ticket,
        authenticationCredential: soft.get(start.data.authenticationOptions, origin()) as any,
        options: { scope: "openid profile offline_access" },
      });
      assert.equal(signedIn.statusCode, 200, JSON.stringify(signedIn));
      assert.equal(signedIn.data.verified, true);
      const set = signedIn.data.tokenSet;
      assert.ok(set?.access_token && set.id_token && set.refresh_token);
      assert.equal(set?.token_type, "Bearer");
      const me = await client(set?.access_token).getProfile({});
      assert.equal(me.statusCode, 200);
      // The same assertion again: refused, with a clear answer.
      const replay = await anon.verifyAuthentication({
        ticket: start.data.ticket,
        authenticationCredential: soft.get(start.data.authenticationOptions, origin()) as any,
      });
      assert.equal(replay.statusCode, 400);
      assert.match(replay.message, /ticket/i);
    });

    it("webAuthnMfaVerifyInitalize with the MFA token, then verifyAuthentication: the API's MFA step, once", async () => {
      const { sdk, email } = await user();
      const soft = new SoftAuthenticator();
      await registerWith(sdk, soft);
      const mc = new ManagementClient({
        accessKeyId: g().h.boot.userPoolId,
        accessKeySecret: g().h.boot.userPoolSecret,
        host: g().url,
      });
      const on = { enabledFactors: ["OTP"], policy: "required", apiSignin: true };
      assert.equal((await mc.updateGlobalMfaSettings(on as any)).statusCode, 200);
      try {
        const challenged = (await client().signInByEmailPassword({
          email,
          password: "Secret-pass-123",
        })) as any;
        assert.deepEqual([challenged.statusCode, challenged.apiCode], [302, 1636]);
        // The MFA token rides where the SDK puts an access token (bare `authorization`).
        const step = client(challenged.data.mfaToken);
        const start = await step.webAuthnMfaVerifyInitalize();
        assert.equal(start.statusCode, 200, JSON.stringify(start));
        const body = {
          ticket: start.data.ticket,
          authenticationCredential: soft.get(start.data.authenticationOptions, origin()) as any,
        };
        const done = await step.verifyAuthentication(body);
        assert.equal(done.statusCode, 200, JSON.stringify(done));
        const set = done.data.tokenSet;
        const amr = JSON.parse(
          Buffer.from(String(set?.id_token).split(".")[1] ?? "", "base64url").toString(),
        );
        assert.deepEqual(amr.amr, ["pwd", "hwk", "mfa"]);
        assert.equal((await client(set?.access_token).getProfile({})).data.email, email);
        const again = await step.verifyAuthentication(body);
        assert.deepEqual([again.statusCode, again.apiCode], [401, 2021]);
      } finally {
        await mc.updateGlobalMfaSettings({
          enabledFactors: ["OTP"],
          policy: "optional",
          apiSignin: false,
        } as any);
      }
    });

    it("list, rename, check, remove: the credential id rides in the body where the SDK leaves {credentialId}", async () => {
      const { sdk } = await user();
      const a = new SoftAuthenticator();
      const b = new SoftAuthenticator();
      await registerWith(sdk, a, "Phone");
      clock.advance(1000);
      await registerWith(sdk, b);
      const list = await sdk.listWebAuthnCredentials({ page: 1, limit: 10 });
      assert.equal(list.data.totalCount, 2, JSON.stringify(list));
      const [first, second] = list.data.list;
      assert.equal(first.name, "Phone");
      const paged = await sdk.listCredentialsByPage({});
      assert.equal(paged.totalCount ?? (paged as any).data.totalCount, 2);

      const checked = await sdk.checkValidCredentialsByCredIds({ credIds: [a.id, "unknown"] } as any);
      assert.deepEqual(checked.data, [a.id]);

      const renamed = await sdk.updateWebAuthnCredential(first.id, {
        name: "Work phone",
        credentialId: first.id,
      } as any);
      assert.equal(renamed.statusCode, 200, JSON.stringify(renamed));
      assert.equal((await sdk.listWebAuthnCredentials({})).data.list[0].name, "Work phone");
      // deleteWebAuthnCredential sends the placeholder and no body: a clear 400 naming what is missing.
      const noId = await sdk.deleteWebAuthnCredential(first.id);
      assert.equal(noId.statusCode, 400);
      assert.match(noId.message, /credentialId/);

      const removed = await sdk.removeCredential(first.id, { credentialId: first.id } as any);
      assert.equal(removed.statusCode, 200, JSON.stringify(removed));
      assert.deepEqual(removed.data, { success: true });
      const byCode = await sdk.removeAllCredentials({ authenticatorCode: "other" } as any);
      assert.equal(byCode.statusCode, 200);
      assert.equal((await sdk.listWebAuthnCredentials({})).data.totalCount, 0);
      assert.ok(second);
    });

    it("the admin names: a user token manages its own passkeys only; placeholders answer a clear 400", async () => {
      const { sdk, token } = await user();
      const me = (await sdk.getProfile({})).data.userId as string;
      const other = await user();
      const otherId = (await other.sdk.getProfile({})).data.userId as string;

      // webAuthnAdminInitialize: the caller's registration options; the ticket finishes like any other.
      const started = await sdk.webAuthnAdminInitialize();
      assert.equal(started.statusCode, 200, JSON.stringify(started));
      assert.ok(started.data.ticket && started.data.registrationOptions.challenge);
      const soft = new SoftAuthenticator();
      const kept = await sdk.verifyRegister({
        ticket: started.data.ticket,
        registrationCredential: soft.create(started.data.registrationOptions, origin()) as any,
      } as any);
      assert.equal(kept.statusCode, 200, JSON.stringify(kept));
      // webAuthnAdminRegisterFinalize sends no body: a 400 naming what is missing.
      const bare = await sdk.webAuthnAdminRegisterFinalize();
      assert.equal(bare.statusCode, 400);
      assert.match(bare.message, /ticket/);

      const mine = await sdk.listWebAuthnPersonCredentials({ userId: me, appId: g().h.boot.appId });
      assert.equal(mine.statusCode, 200, JSON.stringify(mine));
      assert.equal(mine.data.totalCount, 1);
      const [pk] = mine.data.list;
      const theirs = await sdk.listWebAuthnPersonCredentials({ userId: otherId });
      assert.equal(theirs.statusCode, 403);

      const renamed = await sdk.updateWebAuthnAdminCredential(pk.id, {
        name: "Desk key",
        credentialId: pk.id,
      } as any);
      assert.equal(renamed.statusCode, 200, JSON.stringify(renamed));
      assert.deepEqual(renamed.data, { success: true });
      assert.equal((await sdk.listWebAuthnCredentials({})).data.list[0].name, "Desk key");
      // Another user's token cannot rename it: not one of theirs.
      const foreign = await other.sdk.updateWebAuthnAdminCredential(pk.id, {
        name: "Mine",
        credentialId: pk.id,
      } as any);
      assert.equal(foreign.statusCode, 404);

      // deleteWebAuthnAdminCredential leaves all three placeholders in and sends no body.
      const placeholders = await sdk.deleteWebAuthnAdminCredential(pk.id, me, g().h.boot.appId);
      assert.equal(placeholders.statusCode, 400);
      assert.match(placeholders.message, /credentialId/);
      // The real path: another user's id is refused, the caller's removes it.
      const del = (userId: string, bearer: string) =>
        fetch(`${g().url}/api/v3/webauthn/admin/credentials/${pk.id}/${userId}/${g().h.boot.appId}`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${bearer}`, "x-authing-app-id": g().h.boot.appId },
        }).then((r) => r.json() as Promise<{ statusCode: number; data?: unknown }>);
      assert.equal((await del(otherId, token)).statusCode, 403);
      const unknownApp = await fetch(`${g().url}/api/v3/webauthn/admin/credentials/${pk.id}/${me}/nope`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}`, "x-authing-app-id": g().h.boot.appId },
      }).then((r) => r.json() as Promise<{ statusCode: number }>);
      assert.equal(unknownApp.statusCode, 404);
      // A form that says something is not read here: 415, nothing done.
      const form = await fetch(`${g().url}/api/v3/webauthn/admin/registration/finalize`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "x-authing-app-id": g().h.boot.appId,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "ticket=x",
      }).then((r) => r.json() as Promise<{ statusCode: number }>);
      assert.equal(form.statusCode, 415);
      assert.equal((await del(me, other.token)).statusCode, 403);
      const gone = await del(me, token);
      assert.equal(gone.statusCode, 200, JSON.stringify(gone));
      assert.equal((await sdk.listWebAuthnCredentials({})).data.totalCount, 0);
    });

    it("my devices: list, revoke-session signs the device out, unbind hides it", async () => {
      const { sdk, token, email } = await user();
      const devices = await sdk.list({ page: 1, limit: 10 });
      assert.equal(devices.statusCode, 200, JSON.stringify(devices));
      assert.equal(devices.data.length, 1);
      const [device] = devices.data;
      assert.equal(device?.online, true);
      assert.match(device?.device.deviceId ?? "", /^[0-9a-f]{24}$/);
      assert.ok(device?.lastLoginTime);
      const unknown = await sdk.revoke({ deviceId: "0".repeat(24) });
      assert.equal(unknown.statusCode, 404);

      const revoked = await sdk.revoke({ deviceId: device?.device.deviceId ?? "" });
      assert.equal(revoked.statusCode, 200, JSON.stringify(revoked));
      const after = await client(token).getProfile({});
      assert.equal(after.statusCode, 401, "the device's sessions ended, this one among them");

      // Signed in again: listed, online; unbound: signed out and gone until the next sign-in.
      const signIn = async () =>
        (await client().signInByEmailPassword({ email, password: "Secret-pass-123" })).data
          .access_token as string;
      const again = client(await signIn());
      const listed = (await again.list({ page: 1, limit: 10 })).data;
      assert.deepEqual(
        listed.map((d) => [d.device.deviceId, d.online]),
        [[device?.device.deviceId, true]],
      );
      assert.equal((await again.unbind({ deviceId: device?.device.deviceId ?? "" })).statusCode, 200);
      clock.advance(1000);
      const later = client(await signIn());
      assert.equal((await again.getProfile({})).statusCode, 401);
      assert.equal((await later.list({ page: 1, limit: 10 })).data.length, 1, "back after a new sign-in");
    });
  },
  { clock },
);
