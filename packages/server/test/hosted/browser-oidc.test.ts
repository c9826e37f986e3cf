import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import type { Browser } from "playwright-core";
import { createApp, signUpByEmail } from "../helpers/auth.js";
import { chromiumAvailable, launchChromium, newVisitor } from "../helpers/chromium.js";
import { createHarness, type Harness } from "../helpers/harness.js";

/** A free port on the loopback, so the server's public URL (and the issuer) is where it listens. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The whole sign-in as an application sees it: a real relying party (openid-client 6) sends
// Chromium to /oidc/auth, the hosted page signs the user in, the code comes back to the client's
// redirect URI and is exchanged; a second client in the same browser gets its code with no form
// (docs/hosted-pages.md, docs/oidc-provider.md). Skipped in a build without /oidc/auth.
describe("hosted pages with a real relying party, in Chromium", { skip: !chromiumAvailable() }, () => {
  let h: Harness;
  let close: () => Promise<void>;
  let browser: Browser;
  let issuer = "";
  let authorizeEndpoint = false;
  /** The relying party's own listening server: its redirect URI answers a small page. */
  let rp: http.Server;
  let CB = "";
  const email = "sso-user@example.com";
  const password = "correct horse 7";

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    ({ harness: h, close } = await createHarness("sqlite", { config: { publicUrl: issuer } }));
    authorizeEndpoint = h.app.hasRoute({ method: "GET", url: "/oidc/auth" });
    await h.app.listen({ port, host: "127.0.0.1" });
    await signUpByEmail(h, email, password);
    rp = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<p>rp</p>"),
    );
    await new Promise<void>((resolve) => rp.listen(0, "127.0.0.1", resolve));
    CB = `http://127.0.0.1:${(rp.address() as net.AddressInfo).port}/cb`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rp?.close();
    await close?.();
  });

  async function relyingParty(): Promise<client.Configuration> {
    const app = await createApp(h, "client_secret_post", { redirectUris: [CB] });
    return client.discovery(
      new URL(`${issuer}/oidc`),
      app.appId,
      {},
      client.ClientSecretPost(app.appSecret),
      {
        execute: [client.allowInsecureRequests],
      },
    );
  }

  /** The authorization URL, with the state and PKCE verifier the client keeps. */
  async function authorization(config: client.Configuration) {
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
    return { url: url.href, verifier, state };
  }

  it("sign in on the hosted page, then SSO on a second client without a form", async (t) => {
    if (!authorizeEndpoint) return t.skip("this build has no /oidc/auth");
    const v = await newVisitor(browser);
    const first = await relyingParty();
    const a = await authorization(first);
    await v.page.goto(a.url);
    await v.page.waitForURL(/\/interaction\//);
    await v.page.getByLabel(/Email/).first().fill(email);
    await v.page.getByLabel("Password").fill(password);
    await v.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await v.page.waitForURL(`${CB}?**`);
    const tokens = await client.authorizationCodeGrant(first, new URL(v.page.url()), {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
    });
    assert.equal(tokens.claims()?.email, email);
    assert.deepEqual(
      v.console.filter((l) => /Content Security Policy|Refused/.test(l)),
      [],
      "the form's redirect to the client is allowed by the page's form-action",
    );

    const second = await relyingParty();
    const b = await authorization(second);
    const seen: string[] = [];
    v.page.on("framenavigated", (f) => seen.push(f.url()));
    await v.page.goto(b.url);
    await v.page.waitForURL(`${CB}?**`);
    assert.ok(!seen.some((u) => u.includes("/interaction/")), `no form on the way: ${seen.join(" → ")}`);
    const sso = await client.authorizationCodeGrant(second, new URL(v.page.url()), {
      pkceCodeVerifier: b.verifier,
      expectedState: b.state,
    });
    assert.equal(sso.claims()?.sub, tokens.claims()?.sub);
    await v.context.close();
  });
});
