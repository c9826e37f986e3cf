import assert from "node:assert/strict";
import { it } from "node:test";
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
