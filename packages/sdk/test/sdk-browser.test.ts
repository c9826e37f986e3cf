import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { mergePoolSettings, parsePoolSettings } from "../../server/src/services/settings.js";
import { clientFor, fresh } from "./helpers/accounts.js";
import { browserPage, chromiumAvailable } from "./helpers/browser.js";
import { liveGatehouse } from "./helpers/gatehouse.js";

describe("browser: the built SDK in headless Chromium against a local Gatehouse", {
  skip: !chromiumAvailable(),
}, () => {
  const gh = liveGatehouse();
  const browser = browserPage();

  before(async () => {
    const { ctx, boot } = gh().h;
    const pool = await ctx.repos.findPoolById(boot.userPoolId);
    const settings = mergePoolSettings(parsePoolSettings(pool!.settings), {
      allowedOrigins: [browser().origin],
    });
    await ctx.repos.updatePoolSettings(boot.userPoolId, JSON.stringify(settings), Date.now());
    // a browser app is a public client: no secret in the page
    await ctx.repos.updateApplicationAuthMethod(boot.appId, "none", Date.now());
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
        { body, args: { appId: gh().h.boot.appId, appHost: gh().url, ...args } },
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

  it("an origin outside allowedOrigins is blocked by the browser (network error, not an answer)", async () => {
    const { ctx, boot } = gh().h;
    const pool = await ctx.repos.findPoolById(boot.userPoolId);
    const blocked = mergePoolSettings(parsePoolSettings(pool!.settings), {
      allowedOrigins: ["http://other.test"],
    });
    await ctx.repos.updatePoolSettings(boot.userPoolId, JSON.stringify(blocked), Date.now());
    try {
      const result = await inPage<{ name: string }>(`
        const c = new sdk.AuthenticationClient({ appId: args.appId, appHost: args.appHost, tokenEndPointAuthMethod: "none", retries: 0 });
        try { await c.getCountryList(); return { name: "none" }; } catch (e) { return { name: e.name }; }
      `);
      assert.equal(result.name, "GatehouseNetworkError");
    } finally {
      await ctx.repos.updatePoolSettings(boot.userPoolId, pool!.settings, Date.now());
    }
  });
});
