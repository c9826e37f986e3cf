import assert from "node:assert/strict";
import { it } from "node:test";
import { oidcPaths } from "@gatehouse/protocol";
import { FakeClock } from "../../src/lib/clock.js";
import { DISCOVERY_TTL_MS } from "../../src/services/oidc/discovery.js";
import { GRANT_TYPES } from "../../src/services/oidc/grants/index.js";
import { SUPPORTED_SCOPES } from "../../src/services/tokens/claims.js";
import { createApp } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { discover } from "../helpers/openid.js";

const clock = new FakeClock(Date.now());

describeEachDialect(
  "oidc: discovery tells the truth",
  (h) => {
    const document = async () => {
      const res = await h().inject({ method: "GET", url: oidcPaths.discovery });
      assert.equal(res.statusCode, 200);
      return res.json();
    };

    it("openid-client reads it: issuer, endpoints, grants and methods", async () => {
      const rp = await discover(h(), h().boot.appId, h().boot.appSecret);
      const d = rp.serverMetadata();
      assert.equal(d.issuer, "http://localhost:3000/oidc");
      assert.equal(d.token_endpoint, "http://localhost:3000/oidc/token");
      assert.equal(d.userinfo_endpoint, "http://localhost:3000/oidc/me");
      assert.equal(d.jwks_uri, "http://localhost:3000/oidc/.well-known/jwks.json");
      assert.equal(d.introspection_endpoint, "http://localhost:3000/oidc/token/introspection");
      assert.equal(d.revocation_endpoint, "http://localhost:3000/oidc/token/revocation");
      assert.equal(d.end_session_endpoint, "http://localhost:3000/oidc/session/end");
      assert.deepEqual(d.grant_types_supported, [...GRANT_TYPES]);
      assert.ok(d.grant_types_supported?.includes("client_credentials"));
      assert.deepEqual(d.scopes_supported, [...SUPPORTED_SCOPES]);
      assert.ok(d.claims_supported?.includes("email_verified"));
      assert.deepEqual(d.token_endpoint_auth_methods_supported, [
        "client_secret_post",
        "client_secret_basic",
        "none",
      ]);
      assert.equal(d.supportsPKCE(), true, "S256 is advertised");
    });

    it("every advertised endpoint answers (none is a 404)", async () => {
      const d = await document();
      const urls = Object.entries(d).filter(([k]) => k.endsWith("_endpoint") || k === "jwks_uri");
      assert.ok(urls.length >= 6);
      for (const [field, url] of urls) {
        const path = new URL(url as string).pathname;
        const get = await h().inject({ method: "GET", url: path });
        const post =
          get.statusCode === 404 ? await h().inject({ method: "POST", url: path, payload: {} }) : get;
        assert.notEqual(post.statusCode, 404, `${field} ${path}`);
      }
      // And the authorization endpoint is advertised exactly when it is served.
      const served = h().app.hasRoute({ method: "GET", url: oidcPaths.authorize });
      assert.equal(d.authorization_endpoint !== undefined, served);
    });

    it("HS256 and PKCE plain appear once an application uses them (within the document's minute)", async () => {
      const before = await document();
      assert.deepEqual(before.id_token_signing_alg_values_supported, ["RS256"]);
      assert.deepEqual(before.code_challenge_methods_supported, ["S256"]);
      await createApp(h(), "client_secret_post", { idTokenSignedResponseAlg: "HS256", allowPlainPkce: true });
      assert.deepEqual((await document()).id_token_signing_alg_values_supported, ["RS256"], "cached");
      clock.advance(DISCOVERY_TTL_MS);
      const after = await document();
      assert.deepEqual(after.id_token_signing_alg_values_supported, ["RS256", "HS256"]);
      assert.deepEqual(after.code_challenge_methods_supported, ["S256", "plain"]);
    });
  },
  { clock },
);
