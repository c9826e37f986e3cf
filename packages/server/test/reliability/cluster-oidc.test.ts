import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as client from "openid-client";
import { updateAppConfig } from "../../src/services/tokens/app-config.js";
import { type Harness, postgresAvailable } from "../helpers/harness.js";
import { inProcessNodes } from "../helpers/in-process-nodes.js";
import { Browser, relyingParty } from "../helpers/oidc-rp.js";
import { waitUntil } from "../helpers/wait.js";

const pgUp = await postgresAvailable();
const CB = "https://rp.example.com/cb";

/**
 * Two nodes in one process (two contexts and apps on one PostgreSQL, no Redis): a code issued on
 * one is exchanged on the other, and a logout on one is seen on the other within a second, the
 * life of a node's session cache (docs/reliability.md, docs/oidc-provider.md §Browser session).
 */
describe("oidc across two nodes on one PostgreSQL", { skip: !pgUp }, () => {
  const cluster = inProcessNodes();
  const nodes = cluster.nodes;

  /** What the helpers use of a harness: a node's context and its app. */
  const node = (i: number) =>
    ({
      ctx: nodes[i].ctx,
      boot: cluster.boot,
      inject: (o: object) => nodes[i].app.inject(o as never),
    }) as unknown as Harness;

  it("authorise on one node, exchange on the other; log out on the first and prompt=none fails on the second", async () => {
    const a = node(0);
    const b = node(1);
    const up = await nodes[0].app.inject({
      method: "POST",
      url: "/api/v3/signup",
      headers: { "x-authing-app-id": cluster.boot.appId },
      payload: {
        connection: "PASSWORD",
        passwordPayload: { email: "cluster@example.com", password: "cluster-pw-1" },
      },
    });
    const userId = up.json().data.userId as string;
    await updateAppConfig(a.ctx.repos, a.ctx.clock, cluster.boot.appId, {
      redirectUris: [CB],
      logoutRedirectUris: ["https://rp.example.com/bye"],
    });
    // The application row is cached per node: B must see the new redirect URI.
    await waitUntil(
      async () =>
        (await b.ctx.repos.applications.findApplicationById(cluster.boot.appId))?.config.includes(CB) ??
        false,
    );

    const rpA = await relyingParty(a, cluster.boot);
    const rpB = await relyingParty(b, cluster.boot);
    let current = a;
    const browser = new Browser(() => current);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(rpA, {
      redirect_uri: CB,
      scope: "openid",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "x1",
    });
    const login = await browser.visit(url);
    assert.equal(login.kind, "interaction");
    const cb = await browser.signIn((login as { uid: string }).uid, userId);
    assert.equal(cb.kind, "callback");
    const tokens = await client.authorizationCodeGrant(rpB, (cb as { url: URL }).url, {
      pkceCodeVerifier: verifier,
      expectedState: "x1",
    });
    assert.equal(tokens.claims()?.sub, userId);

    const silent = client.buildAuthorizationUrl(rpB, {
      redirect_uri: CB,
      scope: "openid",
      prompt: "none",
      state: "x2",
    });
    current = b;
    const onB = await browser.visit(silent);
    assert.equal(onB.kind, "callback");
    assert.ok((onB as { url: URL }).url.searchParams.get("code"), "B knows the browser session");

    current = a;
    const cookie = browser.cookie;
    const bye = await browser.visit(
      client.buildEndSessionUrl(rpA, {
        id_token_hint: tokens.id_token as string,
        post_logout_redirect_uri: "https://rp.example.com/bye",
      }),
    );
    assert.equal(bye.kind, "callback");

    current = b;
    browser.cookie = cookie;
    const refused = await waitUntil(
      async () => {
        const stop = await browser.visit(silent);
        return stop.kind === "callback" && stop.url.searchParams.get("error") === "login_required";
      },
      { timeoutMs: 3000 },
    );
    assert.ok(refused, "node B refuses the ended browser session");
    const me = await nodes[1].app.inject({
      method: "GET",
      url: `/oidc/me?access_token=${tokens.access_token}`,
    });
    assert.equal(me.statusCode, 401);
  });
});
