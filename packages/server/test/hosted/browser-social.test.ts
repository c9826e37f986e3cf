import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import type { Browser } from "playwright-core";
import { createApp } from "../helpers/auth.js";
import { chromiumAvailable, launchChromium, newVisitor } from "../helpers/chromium.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { listenUpstream, type UpstreamIdp } from "../helpers/upstream-idp.js";

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// "Continue with …" as a person does it, in Chromium: a relying party (openid-client) sends the
// browser to Gatehouse's sign-in page, the button goes across to a real upstream OpenID Provider
// (oidc-provider), its login and consent pages are filled in, and the browser comes back through
// Gatehouse to the relying party with a code for the upstream account's new user
// (docs/social-sign-in.md).
describe("social sign-in in Chromium: Gatehouse page → upstream → back", {
  skip: !chromiumAvailable(),
}, () => {
  let h: Harness;
  let close: () => Promise<void>;
  let browser: Browser;
  let upstream: UpstreamIdp;
  let rp: http.Server;
  let issuer = "";
  let CB = "";
  const email = "browser-social@example.com";

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    ({ harness: h, close } = await createHarness("sqlite", {
      config: { publicUrl: issuer, idpAllowHttp: true },
    }));
    await h.app.listen({ port, host: "127.0.0.1" });
    rp = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<p>rp</p>"),
    );
    await new Promise<void>((resolve) => rp.listen(0, "127.0.0.1", resolve));
    CB = `http://127.0.0.1:${(rp.address() as net.AddressInfo).port}/cb`;
    upstream = await listenUpstream();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rp?.close();
    await upstream?.close();
    await close?.();
  });

  it("sign in with the upstream account: a new user, signed in at the relying party", async () => {
    const app = await createApp(h, "client_secret_post", { redirectUris: [CB] });
    const idp = await mgmt(h, "POST", "/api/v3/create-ext-idp", { body: { type: "oidc", name: "Corp" } });
    const conn = await mgmt(h, "POST", "/api/v3/create-ext-idp-conn", {
      body: {
        extIdpId: idp.data.id,
        type: "oidc",
        identifier: "corp",
        displayName: "Corp SSO",
        fields: { issuer: upstream.issuer, clientId: "gatehouse", clientSecret: "browser-secret-0123456789" },
      },
    });
    assert.equal(conn.statusCode, 200, JSON.stringify(conn));
    await mgmt(h, "POST", "/api/v3/change-ext-idp-conn-state", {
      body: { id: conn.data.id, enabled: true, appId: app.appId },
    });
    upstream.serve({
      clientId: "gatehouse",
      clientSecret: "browser-secret-0123456789",
      redirectUris: [conn.data.callbackUrl],
      accounts: { "browser-person": { email, email_verified: true, name: "Browser Person" } },
    });

    const config = await client.discovery(
      new URL(`${issuer}/oidc`),
      app.appId,
      {},
      client.ClientSecretPost(app.appSecret),
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CB,
      scope: "openid profile email",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      ui_locales: "en-US",
    });

    const v = await newVisitor(browser);
    await v.page.goto(url.href);
    await v.page.waitForURL(/\/interaction\//);
    await v.page.getByRole("link", { name: "Continue with Corp SSO" }).click();
    await v.page.waitForURL(`${upstream.issuer}/**`);
    await v.page.locator('input[name="login"]').fill("browser-person");
    await v.page.locator('input[name="password"]').fill("anything");
    await v.page.getByRole("button", { name: "Sign-in" }).click();
    await v.page.getByRole("button", { name: "Continue" }).click();
    await v.page.waitForURL(`${CB}?**`);
    const tokens = await client.authorizationCodeGrant(config, new URL(v.page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims();
    assert.equal(claims?.email, email);
    assert.equal(claims?.email_verified, true);
    assert.deepEqual(
      v.console.filter((l) => /Content Security Policy|Refused/.test(l)),
      [],
    );
    await v.context.close();
  });
});
