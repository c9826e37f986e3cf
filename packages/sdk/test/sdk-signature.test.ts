import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { ManagementClient, stringToSign } from "../src/index.js";
import { type Captured, json, localServer } from "./helpers/local-server.js";

const require = createRequire(import.meta.url);
const official = require("authing-node-sdk/dist/utils/buildSignature.js") as {
  buildStringToSign(method: string, uri: string, headers: object, query: object): string;
  buildAuthorization(ak: string, sk: string, stringToSign: string): string;
};
const { ManagementClient: OfficialManagementClient } = require("authing-node-sdk") as {
  ManagementClient: new (o: object) => any;
};

const AK = "pool-ak-1";
const SK = "s3cret/with+chars=";
const headers = {
  accept: "application/json",
  "content-type": "application/json",
  "x-authing-signature-nonce": "0123456789abcdef0123456789abcdef",
  "x-authing-signature-method": "HMAC-SHA1",
  "x-authing-signature-version": "1.0",
  "user-agent": "ignored",
  "x-authing-sdk-version": "authing-node-sdk:4.0.1",
  "x-authing-app-id": "tenant\twith\ttabs ",
  "x-authing-lang": "en-US",
  date: "Wed, 25 Nov 2026 17:00:54 GMT",
};

/** The params a server sees: decoded query with `k[]` repeats collapsed to a JSON array (docs/wire-contract.md §1.4.2). */
function paramsOf(req: Captured): Record<string, unknown> {
  if (req.method !== "GET") return req.body ? JSON.parse(req.body) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URL(req.url, "http://x").searchParams) {
    if (!k.endsWith("[]")) out[k] = v;
    else {
      const list = (out[k.slice(0, -2)] ?? []) as string[];
      list.push(v);
      out[k.slice(0, -2)] = list;
    }
  }
  return out;
}

/** What the official SDK computes for a captured request; equal to the header sent iff our signing matches. */
function officialAuthorization(req: Captured): string {
  const path = req.url.split("?")[0];
  const toSign = official.buildStringToSign(req.method, path, req.headers, paramsOf(req));
  return official.buildAuthorization(AK, SK, toSign);
}

describe("management signature: identical to authing-node-sdk 4.0.1", () => {
  const cases: [string, string, Record<string, unknown>][] = [
    [
      "GET with flags",
      "/api/v3/get-user",
      { userId: "u1", userIdType: "user_id", withCustomData: false, page: 1 },
    ],
    ["GET with an array", "/api/v3/get-user-batch", { userIds: ["a", "b c"], userIdType: "user_id" }],
    ["GET with undefined only (signs path?)", "/api/v3/list-applications", { keywords: undefined }],
    ["GET without params", "/api/v3/get-security-settings", {}],
    [
      "POST with nested objects",
      "/api/v3/list-users",
      { options: { pagination: { page: 2, limit: 5 } }, keywords: "a b&c" },
    ],
    [
      "POST with null and unicode",
      "/api/v3/update-user",
      { userId: "u1", nickname: "张三 ✓", photo: null, phone: undefined },
    ],
    [
      "POST with arrays of objects",
      "/api/v3/set-custom-fields",
      { list: [{ targetType: "USER", key: "k" }] },
    ],
  ];
  for (const [title, path, params] of cases) {
    for (const method of ["GET", "POST"]) {
      it(`string to sign: ${title} (${method})`, () => {
        assert.equal(
          stringToSign(method, path, headers, params),
          official.buildStringToSign(method, path, headers, params),
        );
      });
    }
  }
});

describe("management signature: requests on the wire verify with the official algorithm", () => {
  let server: Awaited<ReturnType<typeof localServer>>;
  before(async () => {
    server = await localServer((_req, res) => json(res, { statusCode: 200, message: "ok", data: {} }));
  });
  after(() => server.close());

  const client = () =>
    new ManagementClient({ accessKeyId: AK, accessKeySecret: SK, host: server.url, lang: "en-US" });

  it("GET get-user carries the official headers and a signature the official algorithm reproduces", async () => {
    await client().getUser({ userId: "u 1&x" });
    const req = server.requests.at(-1)!;
    assert.equal(req.headers["x-authing-signature-method"], "HMAC-SHA1");
    assert.equal(req.headers["x-authing-signature-version"], "1.0");
    assert.match(String(req.headers["x-authing-signature-nonce"]), /^[0-9a-f]{32}$/);
    assert.ok(!Number.isNaN(Date.parse(String(req.headers.date))));
    assert.equal(req.headers.authorization, officialAuthorization(req));
  });

  it("GET get-user-batch sends userIds[] repeats and signs the JSON array", async () => {
    await client().getUserBatch({ userIds: ["a", "b"] });
    const req = server.requests.at(-1)!;
    assert.match(req.url, /userIds\[\]=a&userIds\[\]=b/);
    assert.equal(req.headers.authorization, officialAuthorization(req));
  });

  it("POST list-users signs the body field by field", async () => {
    await client().listUsers({ keywords: "x y", options: { pagination: { page: 1, limit: 50 } } });
    const req = server.requests.at(-1)!;
    assert.equal(req.headers.authorization, officialAuthorization(req));
  });

  it("a request of the unmodified official client and ours sign the same canonical resource", async () => {
    const officialClient = new OfficialManagementClient({
      accessKeyId: AK,
      accessKeySecret: SK,
      host: server.url,
    });
    await officialClient.getUserLoginHistory({ userId: "u1", appId: "app1" });
    const theirs = server.requests.at(-1)!;
    await client().getUserLoginHistory({ userId: "u1", appId: "app1" });
    const ours = server.requests.at(-1)!;
    assert.deepEqual(paramsOf(ours), paramsOf(theirs));
    assert.equal(ours.url, theirs.url);
    assert.equal(ours.headers.authorization, officialAuthorization(ours));
    assert.equal(theirs.headers.authorization, officialAuthorization(theirs));
  });

  it("a retried GET is signed again with a fresh nonce", async () => {
    let drop = true;
    const flaky = await localServer((_req, res, raw) => {
      if (drop) {
        drop = false;
        raw.socket.destroy();
        return;
      }
      json(res, { statusCode: 200, message: "ok", data: {} });
    });
    try {
      const c = new ManagementClient({
        accessKeyId: AK,
        accessKeySecret: SK,
        host: flaky.url,
        retryDelay: 1,
      });
      await c.getApplication({ appId: "a1" });
      const [first, second] = flaky.requests;
      assert.notEqual(
        first.headers["x-authing-signature-nonce"],
        second.headers["x-authing-signature-nonce"],
      );
      assert.equal(second.headers.authorization, officialAuthorization(second));
    } finally {
      await flaky.close();
    }
  });

  it("a wrong secret yields a different signature", async () => {
    await new ManagementClient({
      accessKeyId: AK,
      accessKeySecret: "other",
      host: server.url,
    }).getSecuritySettings();
    const req = server.requests.at(-1)!;
    assert.notEqual(req.headers.authorization, officialAuthorization(req));
  });
});
