import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pino from "pino";
import { logSerializers, redactUrl } from "../../src/http/request-log.js";

describe("what a log line may say about a request", () => {
  it("redacts secret query parameters however they are spelled, and leaves other URLs alone", () => {
    assert.equal(
      redactUrl("/api/v3/get-profile?withCustomData=false"),
      "/api/v3/get-profile?withCustomData=false",
    );
    assert.equal(redactUrl("/oidc/me"), "/oidc/me");
    assert.equal(redactUrl("/cb?state=1&code=abc&x=2"), "/cb?state=1&code=[redacted]&x=2");
    assert.equal(redactUrl("/cb?CODE=abc"), "/cb?CODE=[redacted]");
    assert.equal(redactUrl("/cb?%63ode=abc"), "/cb?%63ode=[redacted]");
    assert.equal(redactUrl("/x?mytoken=1&token=2"), "/x?mytoken=1&token=[redacted]");
    assert.equal(redactUrl("/x?a=%E0%A4%A"), "/x?a=%E0%A4%A");
  });

  it("a logger with the Gatehouse serializers writes no header of a request or a reply", () => {
    const lines: string[] = [];
    const log = pino({ serializers: logSerializers }, { write: (l: string) => void lines.push(l) });
    log.error(
      {
        req: {
          method: "POST",
          url: "/api/v3/signin?password=p1",
          ip: "10.0.0.1",
          headers: { authorization: "Bearer SECRET-A", cookie: "s=SECRET-B", "user-agent": "ua" },
        },
        res: { statusCode: 500, headers: { "set-cookie": "s=SECRET-C" } },
      },
      "failed",
    );
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0], /SECRET-|p1/);
    const line = JSON.parse(lines[0]);
    assert.deepEqual(line.req, {
      method: "POST",
      url: "/api/v3/signin?password=[redacted]",
      remoteAddress: "10.0.0.1",
      userAgent: "ua",
    });
    assert.deepEqual(line.res, { statusCode: 500 });
  });
});
