import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { it } from "node:test";
import { compileAllSchemas } from "../../src/http/validation.js";
import { describeEachDialect } from "../helpers/harness.js";

describeEachDialect(
  "http foundation",
  (h) => {
    it("GET /api/v3/system returns a PEM RSA public key without an envelope", async () => {
      const res = await h().inject({ method: "GET", url: "/api/v3/system" });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.statusCode, undefined);
      assert.match(body.rsa.publicKey, /^-----BEGIN PUBLIC KEY-----/);
      assert.equal(createPublicKey(body.rsa.publicKey).asymmetricKeyType, "rsa");
      assert.equal(typeof body.sm2.publicKey, "string");
      assert.equal(typeof body.version.server, "string");
      assert.deepEqual(body.publicIps, []);
    });

    it("GET /api/v3/get-country-list lists countries with calling codes and four languages", async () => {
      const body = await h().api("GET", "/api/v3/get-country-list");
      assert.equal(body.statusCode, 200);
      const cn = body.data.find((c: { alpha2: string }) => c.alpha2 === "CN");
      assert.equal(cn.alpha3, "CHN");
      assert.equal(cn.phoneCountryCode, "+86");
      assert.equal(cn.flag, "🇨🇳");
      assert.equal(cn.name["en-US"].value, "China");
      assert.equal(cn.name["zh-CN"].value, "中国");
      assert.ok(cn.name["ja-JP"].value && cn.name["zh-TW"].value);
      assert.ok(body.data.length > 200);
    });

    it("an unknown /api/v3 route answers the envelope 404 with HTTP 200", async () => {
      const res = await h().inject({ method: "POST", url: "/api/v3/no-such-thing", payload: {} });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.statusCode, 404);
      assert.match(body.message, /No such endpoint: POST \/api\/v3\/no-such-thing/);
      assert.ok(body.requestId);
    });

    // Found by fuzz-pages.test.ts (GATEHOUSE_FUZZ_SEED=-159117665): Fastify's own JSON (HTTP 414 or
    // 400) before, neither the envelope nor a page nor an OAuth error.
    it("a path the router refuses (a parameter over 100 characters, a malformed escape) answers in its address's kind", async () => {
      const long = "%C3%A9".repeat(120);
      for (const url of [`/api/v3/webauthn/credentials/${long}`, "/api/v3/webauthn/credentials/%E0%A4%A"]) {
        const res = await h().inject({ method: "DELETE", url });
        assert.equal(res.statusCode, 200, url);
        const body = res.json();
        assert.equal(body.statusCode, 400, url);
        assert.equal(typeof body.requestId, "string");
      }
      for (const url of [`/interaction/${"a".repeat(120)}`, `/logout/${long}`, "/interaction/%zz/password"]) {
        const res = await h().inject({ method: "GET", url });
        assert.equal(res.statusCode, 404, url);
        assert.match(String(res.headers["content-type"]), /^text\/html/, url);
        assert.match(res.body, /^<!doctype html>/i);
      }
      const oauth = await h().inject({ method: "GET", url: `/oidc/auth/resume/${long}` });
      assert.equal(oauth.statusCode, 400);
      assert.equal(oauth.json().error, "invalid_request");
    });

    const badBodies: [string, string, string, number, RegExp][] = [
      ["malformed JSON", "application/json", '{"a": ', 400, /not valid JSON/],
      ["an empty JSON body", "application/json", "", 400, /Body cannot be empty/],
      [
        "a body over the size limit",
        "application/json",
        JSON.stringify({ a: "x".repeat(200_000) }),
        413,
        /too large/,
      ],
      [
        "a prototype-pollution key",
        "application/json",
        '{"__proto__": {"admin": true}}',
        400,
        /forbidden key/,
      ],
    ];
    for (const [what, contentType, payload, status, message] of badBodies) {
      it(`${what} answers the envelope ${status} with HTTP 200, never 500 or a stack trace`, async () => {
        const res = await h().inject({
          method: "POST",
          url: "/api/v3/no-such-thing",
          headers: { "content-type": contentType },
          payload,
        });
        assert.equal(res.statusCode, 200);
        const body = res.json();
        assert.equal(body.statusCode, status);
        assert.match(body.message, message);
        assert.ok(body.requestId);
        assert.doesNotMatch(res.body, /at .*\.[jt]s:\d+/);
      });
    }

    for (const [contentType, status, message] of [
      ["application/xml", 415, /Unsupported content type/],
      ["text/plain", 400, /body must be an object/],
    ] as const) {
      it(`a ${contentType} body on a JSON route answers the envelope ${status}`, async () => {
        const res = await h().inject({
          method: "POST",
          url: "/api/v3/send-sms",
          headers: { "content-type": contentType, "x-authing-app-id": h().boot.appId },
          payload: "<channel>CHANNEL_LOGIN</channel>",
        });
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().statusCode, status);
        assert.match(res.json().message, message);
      });
    }

    it("request ids: an incoming x-request-id is honoured and echoed; a hostile one is replaced", async () => {
      const a = await h().inject({
        method: "GET",
        url: "/api/v3/get-country-list",
        headers: { "x-request-id": "abc-123" },
      });
      assert.equal(a.headers["x-request-id"], "abc-123");
      assert.equal(a.json().requestId, "abc-123");
      const b = await h().inject({
        method: "GET",
        url: "/api/v3/get-country-list",
        headers: { "x-request-id": "<script>" },
      });
      assert.notEqual(b.headers["x-request-id"], "<script>");
      assert.match(String(b.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
    });

    it("security headers are on every response, errors included", async () => {
      for (const url of ["/api/v3/system", "/api/v3/no-such-thing", "/health"]) {
        const res = await h().inject({ method: "GET", url });
        assert.equal(res.headers["x-content-type-options"], "nosniff", url);
        assert.match(String(res.headers["strict-transport-security"]), /max-age=/, url);
        assert.equal(res.headers["x-frame-options"], "SAMEORIGIN", url);
        assert.ok(res.headers["content-security-policy"], url);
      }
    });

    it("GET /health, /ready and /metrics answer", async () => {
      assert.equal((await h().inject({ method: "GET", url: "/health" })).json().status, "ok");
      assert.equal((await h().inject({ method: "GET", url: "/ready" })).json().status, "ready");
      const metrics = await h().inject({ method: "GET", url: "/metrics" });
      assert.match(
        metrics.body,
        /gatehouse_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/,
      );
      assert.match(metrics.body, /gatehouse_http_request_duration_seconds_bucket/);
    });

    it("every route's validators and response serializers compile (they are built on a route's first call)", () => {
      assert.ok(compileAllSchemas() > 100);
    });

    it("serves the OpenAPI document and the browsable reference", async () => {
      const doc = (await h().inject({ method: "GET", url: "/openapi.json" })).json();
      assert.match(doc.openapi, /^3\./);
      assert.ok(doc.paths["/api/v3/system"]);
      const ui = await h().inject({ method: "GET", url: "/docs/" });
      assert.equal(ui.statusCode, 200);
      assert.match(ui.body, /swagger/i);
    });

    it("log lines never carry query-string tokens", async () => {
      await h().inject({
        method: "GET",
        url: "/api/v3/get-country-list?access_token=SECRET-TOKEN-VALUE&x=1",
      });
      const joined = h().logs.join("\n");
      assert.doesNotMatch(joined, /SECRET-TOKEN-VALUE/);
      assert.match(joined, /access_token=\[redacted\]/);
    });

    it("log lines never carry a secret parameter with a percent-encoded name, nor headers", async () => {
      await h().inject({
        method: "GET",
        url: "/api/v3/get-country-list?x=1&access%5Ftoken=SECRET-ENCODED-NAME",
        headers: { authorization: "Bearer SECRET-HEADER-TOKEN", cookie: "sid=SECRET-COOKIE" },
      });
      const joined = h().logs.join("\n");
      assert.doesNotMatch(joined, /SECRET-/);
      assert.match(joined, /access%5Ftoken=\[redacted\]/);
    });
  },
  { config: { metrics: { mode: "public" } } },
);
