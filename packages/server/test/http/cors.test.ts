import assert from "node:assert/strict";
import { it } from "node:test";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

const EVIL = "https://evil.example";
const ADMIN = "https://admin.example";

/** A request as a browser page at `origin` makes it, with `x-authing-app-id` only when given. */
function fromOrigin(h: Harness, origin: string, url: string, appId?: string) {
  return h.inject({
    method: "GET",
    url,
    headers: { origin, ...(appId ? { "x-authing-app-id": appId } : {}) },
  });
}

/** The preflight a browser sends before a request that will (or will not) carry `x-authing-app-id`. */
function preflight(h: Harness, origin: string, url: string, withAppIdHeader: boolean) {
  return h.inject({
    method: "OPTIONS",
    url,
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": withAppIdHeader
        ? "content-type,x-authing-app-id"
        : "content-type,authorization",
    },
  });
}

const allowOrigin = (res: { headers: Record<string, unknown> }) => res.headers["access-control-allow-origin"];

describeEachDialect("CORS: requests without an application id", (h) => {
  it("one pool listing * opens nothing to a request without an app id", async () => {
    await patchPoolSettings(h(), { allowedOrigins: ["*"] });
    for (const url of ["/oidc/me", "/api/v3/system", "/oidc/.well-known/openid-configuration"]) {
      assert.equal(allowOrigin(await fromOrigin(h(), EVIL, url)), undefined, url);
    }
    assert.equal(allowOrigin(await preflight(h(), EVIL, "/oidc/token", false)), undefined);
    assert.equal(allowOrigin(await preflight(h(), EVIL, "/api/v3/get-management-token", false)), undefined);
  });

  it("with the app id of the pool listing *, the pool's list decides", async () => {
    await patchPoolSettings(h(), { allowedOrigins: ["*"] });
    const res = await fromOrigin(h(), EVIL, "/api/v3/system", h().boot.appId);
    assert.equal(allowOrigin(res), EVIL);
    assert.equal(res.headers["access-control-allow-credentials"], "true");
    // The preflight of such a request carries no header values: it answers for the origin and the
    // actual request is judged by its own pool.
    assert.equal(allowOrigin(await preflight(h(), EVIL, "/api/v3/signin", true)), EVIL);
  });

  it("* never opens a pool to the opaque origin null", async () => {
    await patchPoolSettings(h(), { allowedOrigins: ["*"] });
    assert.equal(allowOrigin(await fromOrigin(h(), "null", "/api/v3/system", h().boot.appId)), undefined);
  });

  it("with the app id of a pool that does not list the origin there are no CORS headers", async () => {
    await patchPoolSettings(h(), { allowedOrigins: ["*"] });
    const other = await h().ctx.admin.pools.create("strict pool");
    await h().ctx.admin.poolSettings.update(
      other.pool.id,
      { allowedOrigins: ["https://app.example"] },
      NO_REQUEST,
    );
    assert.equal(allowOrigin(await fromOrigin(h(), EVIL, "/api/v3/system", other.app.id)), undefined);
    assert.equal(
      allowOrigin(await fromOrigin(h(), "https://app.example", "/api/v3/system", other.app.id)),
      "https://app.example",
    );
  });

  it("GATEHOUSE_CORS_ORIGINS is empty by default: no origin is allowed without an app id", async () => {
    assert.deepEqual(h().ctx.config.corsOrigins, []);
    assert.equal(allowOrigin(await fromOrigin(h(), ADMIN, "/api/v3/system")), undefined);
  });
});

describeEachDialect(
  "CORS: GATEHOUSE_CORS_ORIGINS",
  (h) => {
    it("a listed origin is allowed without an app id (request and preflight), others are not", async () => {
      await patchPoolSettings(h(), { allowedOrigins: ["*"] });
      const res = await fromOrigin(h(), ADMIN, "/oidc/me");
      assert.equal(allowOrigin(res), ADMIN);
      assert.equal(res.headers["access-control-allow-credentials"], "true");
      assert.equal(allowOrigin(await preflight(h(), ADMIN, "/oidc/token", false)), ADMIN);
      assert.equal(allowOrigin(await fromOrigin(h(), EVIL, "/oidc/me")), undefined);
      assert.equal(allowOrigin(await preflight(h(), EVIL, "/oidc/token", false)), undefined);
    });

    it("with an app id the pool's list decides, not the server's", async () => {
      await patchPoolSettings(h(), { allowedOrigins: ["https://app.example"] });
      assert.equal(allowOrigin(await fromOrigin(h(), ADMIN, "/api/v3/system", h().boot.appId)), undefined);
      assert.equal(
        allowOrigin(await fromOrigin(h(), "https://app.example", "/api/v3/system", h().boot.appId)),
        "https://app.example",
      );
    });
  },
  { config: { corsOrigins: [ADMIN] } },
);
