import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AuthenticationClient,
  GatehouseError,
  GatehouseNetworkError,
  GatehouseTimeoutError,
  ManagementClient,
} from "../src/index.js";
import { liveGatehouse } from "./helpers/gatehouse.js";
import { json, localServer } from "./helpers/local-server.js";

describe("errors: envelopes from a real Gatehouse", () => {
  const gh = liveGatehouse();
  const client = (extra: object = {}) =>
    new AuthenticationClient({
      appId: gh().h.boot.appId,
      appSecret: gh().h.boot.appSecret,
      appHost: gh().url,
      ...extra,
    });

  it("getSystemInfo returns the bare object with the server's RSA key", async () => {
    const info = await client().getSystemInfo();
    assert.match(info.rsa.publicKey, /BEGIN PUBLIC KEY/);
    assert.equal(typeof info.version.server, "string");
  });

  it("getCountryList resolves to the success envelope", async () => {
    const res = await client().getCountryList();
    assert.equal(res.statusCode, 200);
    assert.ok(res.data.some((c) => c.alpha2 === "CN" && c.phoneCountryCode === "+86"));
  });

  it("an error without apiCode is named GatehouseError", async () => {
    const mgmt = new ManagementClient({ accessKeyId: "ak", accessKeySecret: "sk", host: gh().url });
    const err = await mgmt.request("GET", "/api/v3/definitely-not-an-endpoint").catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 404);
    assert.equal(err.name, "GatehouseError");
  });

  it("an unknown app is named APP_NOT_FOUND: the statusCode picks among keys sharing apiCode 2011", async () => {
    const err = await new AuthenticationClient({ appId: "no-such-app", appSecret: "s", appHost: gh().url })
      .signInByEmailPassword({ email: "a@example.com", password: "x" })
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 404);
    assert.equal(err.apiCode, 2011);
    assert.equal(err.name, "APP_NOT_FOUND");
  });
});

describe("errors: envelope mapping", () => {
  let server: Awaited<ReturnType<typeof localServer>>;
  before(async () => {
    server = await localServer((_req, res) =>
      json(res, {
        statusCode: 409,
        apiCode: 2035,
        message: "Phone number is already bound",
        requestId: "r-1",
      }),
    );
  });
  after(() => server.close());

  it("a non-200 statusCode throws GatehouseError with statusCode, apiCode, requestId and the registry name", async () => {
    const client = new AuthenticationClient({ appId: "a", appSecret: "s", appHost: server.url });
    const err = await client.getCountryList().catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 409);
    assert.equal(err.apiCode, 2035);
    assert.equal(err.name, "PHONE_TAKEN");
    assert.equal(err.message, "Phone number is already bound");
    assert.equal(err.requestId, "r-1");
  });

  it("throwOnError: false returns the failure envelope as the official SDK does", async () => {
    const client = new AuthenticationClient({
      appId: "a",
      appSecret: "s",
      appHost: server.url,
      throwOnError: false,
    });
    const res = await client.getCountryList();
    assert.equal(res.statusCode, 409);
    assert.equal(res.apiCode, 2035);
    assert.equal(res.requestId, "r-1");
  });
});

describe("errors: network failures, timeouts and retries", () => {
  let hanging: Awaited<ReturnType<typeof localServer>>;
  let flaky: Awaited<ReturnType<typeof localServer>>;
  let failures = 0;
  before(async () => {
    hanging = await localServer(() => {
      // never answers
    });
    flaky = await localServer((req, res, raw) => {
      if (req.url.includes("drop") && failures-- > 0) {
        raw.socket.destroy();
        return;
      }
      json(res, { statusCode: 200, message: "ok", data: [] });
    });
  });
  after(async () => {
    await hanging.close();
    await flaky.close();
  });
  const client = (appHost: string, extra: object = {}) =>
    new AuthenticationClient({ appId: "app", appSecret: "s", appHost, retryDelay: 1, ...extra });

  it("an unreachable server throws GatehouseNetworkError, not GatehouseError", async () => {
    const closed = await localServer(() => {});
    await closed.close();
    const err = await client(closed.url, { retries: 0 })
      .getCountryList()
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseNetworkError);
    assert.ok(!(err instanceof GatehouseTimeoutError));
    assert.equal(err.method, "GET");
  });

  it("no answer within timeout throws GatehouseTimeoutError", async () => {
    const err = await client(hanging.url, { timeout: 100, retries: 0 })
      .getCountryList()
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseTimeoutError);
    assert.equal(err.timeout, 100);
  });

  it("an idempotent GET is retried after a dropped connection", async () => {
    failures = 2;
    const before = flaky.requests.length;
    const c = client(flaky.url, { retries: 2 });
    const res = await (c as any).api("GET", "/api/v3/drop");
    assert.equal(res.statusCode, 200);
    assert.equal(flaky.requests.length - before, 3);
  });

  it("a POST is never retried", async () => {
    failures = 1;
    const before = flaky.requests.length;
    const err = await (client(flaky.url, { retries: 2 }) as any)
      .api("POST", "/api/v3/drop", { body: {} })
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseNetworkError);
    assert.equal(flaky.requests.length - before, 1);
  });
});
