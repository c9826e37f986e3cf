import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { liveGatehouse } from "./helpers/gatehouse.js";

const ALLOWED = "http://app.example.test:8080";

describe("CORS for browser clients: the pool's allowedOrigins decide", () => {
  const gh = liveGatehouse();
  before(async () => {
    const { ctx, boot } = gh().h;
    await ctx.repos.pools.updatePoolSettings(
      boot.userPoolId,
      JSON.stringify({ allowedOrigins: [ALLOWED] }),
      Date.now(),
    );
  });

  const preflight = (origin: string) =>
    gh().h.inject({
      method: "OPTIONS",
      url: "/api/v3/get-country-list",
      headers: {
        origin,
        "access-control-request-method": "GET",
        "access-control-request-headers": "x-authing-app-id,authorization,content-type",
      },
    });

  it("a preflight from an allowed origin is answered with the SDK's headers allowed", async () => {
    const res = await preflight(ALLOWED);
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers["access-control-allow-origin"], ALLOWED);
    assert.equal(res.headers["access-control-allow-credentials"], "true");
    assert.match(String(res.headers["access-control-allow-headers"]), /x-authing-app-id/);
    assert.match(String(res.headers["access-control-allow-headers"]), /authorization/);
  });

  it("a preflight from another origin gets no CORS headers", async () => {
    const res = await preflight("http://evil.example.test");
    assert.equal(res.headers["access-control-allow-origin"], undefined);
  });

  it("the actual request is answered with CORS headers only for an origin of the app's pool", async () => {
    const get = (origin: string, appId: string) =>
      gh().h.inject({
        method: "GET",
        url: "/api/v3/get-country-list",
        headers: { origin, "x-authing-app-id": appId },
      });
    const ok = await get(ALLOWED, gh().h.boot.appId);
    assert.equal(ok.headers["access-control-allow-origin"], ALLOWED);
    assert.equal(ok.headers["access-control-expose-headers"], "x-request-id");
    const other = await get("http://evil.example.test", gh().h.boot.appId);
    assert.equal(other.headers["access-control-allow-origin"], undefined);
    const unknownApp = await get(ALLOWED, "no-such-app");
    assert.equal(unknownApp.headers["access-control-allow-origin"], undefined);
  });
});
