import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ManagementClient } from "../src/index.js";
import { clientFor, fresh, lastCode } from "./helpers/accounts.js";
import { browserPage, chromiumAvailable } from "./helpers/browser.js";
import { liveGatehouse } from "./helpers/gatehouse.js";

describe("browser: the built SDK in headless Chromium against a local Gatehouse", {
  skip: !chromiumAvailable(),
}, () => {
  const gh = liveGatehouse();
  const browser = browserPage();

  let spaAppId = "";
  const mgmt = () =>
    new ManagementClient({
      accessKeyId: gh().h.boot.userPoolId,
      accessKeySecret: gh().h.boot.userPoolSecret,
      host: gh().url,
    });

  before(async () => {
    // a browser app is a public client (no secret in the page), and the page's origin is allowed
    const { data: app } = await mgmt().createApplication({
      appName: "Browser SPA",
      appType: "spa",
      oidcConfig: { token_endpoint_auth_method: "none" },
    });
    spaAppId = app.appId;
    await mgmt().updateSecuritySettings({ allowedOrigins: [browser().origin] });
  });

  /** Runs `body` in the page with a client for the default app (no secret in the browser). */
  async function inPage<T>(body: string, args: Record<string, unknown> = {}): Promise<T> {
    const { page, log } = browser();
    try {
      return await page.evaluate(
        async ({ body, args }) => {
          const sdk = await import("/sdk.js" as string);
          const client = new sdk.AuthenticationClient({
            appId: args.appId,
            appHost: args.appHost,
            tokenEndPointAuthMethod: "none",
          });
          // biome-ignore lint/security/noGlobalEval: test code, the body is ours
          return await eval(`(async (sdk, client, args) => { ${body} })`)(sdk, client, args);
        },
        { body, args: { appId: spaAppId, appHost: gh().url, ...args } },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${log.join("\n")}`);
    }
  }

  it("loads in the page and reads the public endpoints cross-origin (CORS allowed for the page)", async () => {
    const result = await inPage<{ hasKey: boolean; countries: number }>(`
      const info = await client.getSystemInfo();
      const list = await client.getCountryList();
      return { hasKey: info.rsa.publicKey.includes("BEGIN PUBLIC KEY"), countries: list.data.length };
    `);
    assert.equal(result.hasKey, true);
    assert.ok(result.countries > 100);
  });

  it("a failure envelope becomes a GatehouseError in the browser too", async () => {
    const result = await inPage<{ isError: boolean; name: string; statusCode: number }>(`
      try { await client.signInByEmailPassword({ email: "nobody@example.com", password: "x" }); return { isError: false }; }
      catch (e) { return { isError: e instanceof sdk.GatehouseError, name: e.name, statusCode: e.statusCode }; }
    `);
    assert.deepEqual(result, { isError: true, name: "LOGIN_FAILED", statusCode: 403 });
  });

  it("signs in (password RSA-encrypted by the browser's WebCrypto) and verifies its ID token", async () => {
    const { email } = fresh();
    await clientFor(gh()).signUpByEmailPassword({ email, password: "Passw0rd!x" });
    const result = await inPage<{ userId: string; sub: string; history: number }>(
      `
      const c = new sdk.AuthenticationClient({
        appId: args.appId, appHost: args.appHost, tokenEndPointAuthMethod: "none", passwordEncryptType: "rsa",
      });
      await c.signInByEmailPassword({ email: args.email, password: "Passw0rd!x" });
      const claims = await c.parseIDToken(c.getTokenSet().idToken);
      const history = await c.getLoginHistory();
      return { userId: history.data.list[0].userId, sub: claims.sub, history: history.data.totalCount };
    `,
      { email },
    );
    assert.equal(result.sub, result.userId);
    assert.ok(result.history >= 1);
  });

  it("changes the user's phone with verifyUpdatePhoneRequest + updatePhone", async () => {
    const { phone: oldPhone } = fresh();
    const { phone: newPhone } = fresh();
    const node = clientFor(gh());
    await node.sendSms({ channel: "CHANNEL_REGISTER", phoneNumber: oldPhone, phoneCountryCode: "+86" });
    await node.signUpByPhoneCode({
      phone: oldPhone,
      phoneCountryCode: "+86",
      passCode: lastCode(gh().h, oldPhone, "CHANNEL_REGISTER"),
      options: { passwordForPhonePassCode: "Passw0rd!x" },
    });
    // step 1 in the page: sign in, ask for codes to the old and the new number
    await inPage(
      `
      globalThis.user = new sdk.AuthenticationClient({ appId: args.appId, appHost: args.appHost, tokenEndPointAuthMethod: "none" });
      await user.signInByPhonePassword({ phone: args.oldPhone, password: "Passw0rd!x" });
      await user.sendSms({ channel: "CHANNEL_UNBIND_PHONE", phoneNumber: args.oldPhone, phoneCountryCode: "+86" });
      await user.sendSms({ channel: "CHANNEL_BIND_PHONE", phoneNumber: args.newPhone, phoneCountryCode: "+86" });
    `,
      { oldPhone, newPhone },
    );
    // step 2: the codes the user received, typed into the page
    const result = await inPage<{ success: boolean; phone: string }>(
      `
      const { data } = await user.verifyUpdatePhoneRequest({
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: {
          newPhoneNumber: args.newPhone, newPhoneCountryCode: "+86", newPhonePassCode: args.newCode,
          oldPhoneNumber: args.oldPhone, oldPhoneCountryCode: "+86", oldPhonePassCode: args.oldCode,
        },
      });
      const done = await user.updatePhone({ updatePhoneToken: data.updatePhoneToken });
      const profile = await user.getProfile();
      return { success: done.data.success, phone: profile.data.phone };
    `,
      {
        oldPhone,
        newPhone,
        oldCode: lastCode(gh().h, oldPhone, "CHANNEL_UNBIND_PHONE"),
        newCode: lastCode(gh().h, newPhone, "CHANNEL_BIND_PHONE"),
      },
    );
    assert.deepEqual(result, { success: true, phone: newPhone });
    assert.equal(
      (await node.signInByPhonePassword({ phone: newPhone, password: "Passw0rd!x" })).statusCode,
      200,
    );
  });

  it("an origin outside allowedOrigins is blocked by the browser (network error, not an answer)", async () => {
    await mgmt().updateSecuritySettings({ allowedOrigins: ["http://other.test"] });
    try {
      const result = await inPage<{ name: string }>(`
        const c = new sdk.AuthenticationClient({ appId: args.appId, appHost: args.appHost, tokenEndPointAuthMethod: "none", retries: 0 });
        try { await c.getCountryList(); return { name: "none" }; } catch (e) { return { name: e.name }; }
      `);
      assert.equal(result.name, "GatehouseNetworkError");
    } finally {
      await mgmt().updateSecuritySettings({ allowedOrigins: [browser().origin] });
    }
  });
});
