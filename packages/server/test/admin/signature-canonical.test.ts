import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GetUserBatchQuery } from "@gatehouse/protocol";
import { Type } from "@sinclair/typebox";
import { buildStringToSign, DEFAULT_HEADERS } from "authing-node-sdk/dist/utils/buildSignature.js";
import axios from "axios";
import {
  arrayParamsOf,
  canonicalResources,
  parseSignatureAuthorization,
  sign,
  signatureMatches,
  stringsToSign,
} from "../../src/services/admin/management-signature.js";

/** What the SDK signs vs what the server rebuilds from the wire (docs/wire-contract.md §1.4.2). */
function roundTrip(method: "GET" | "POST", path: string, data: Record<string, unknown> | undefined) {
  const headers: Record<string, string> = {
    ...DEFAULT_HEADERS(),
    "x-authing-lang": "en-US",
    date: new Date().toUTCString(),
  };
  const clientSigned = buildStringToSign(method, path, headers, data || {});
  const url = method === "GET" ? axios.getUri({ url: path, params: data }) : path;
  const body = method === "GET" || data === undefined ? undefined : JSON.parse(JSON.stringify(data));
  // Node lower-cases header names; the server iterates what it received.
  const received = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { clientSigned, candidates: stringsToSign({ method, url, headers: received, body }) };
}

describe("management signature: canonical string", () => {
  const cases: [string, "GET" | "POST", Record<string, unknown> | undefined][] = [
    [
      "GET with scalar params (booleans and numbers as text)",
      "GET",
      { userId: "u1", withCustomData: false, page: 2 },
    ],
    [
      "GET values are signed un-encoded: spaces, &, +, =, %, unicode",
      "GET",
      { keywords: "a b&c+d=e%f 中文 ☃" },
    ],
    [
      "GET arrays go out as k[]=… and are signed as a JSON array",
      "GET",
      { userIds: ["a", "b c", "d&e"], userIdType: "user_id" },
    ],
    ["GET one-element array", "GET", { userIds: ["only"] }],
    ["GET with every param undefined signs `path?`", "GET", { keywords: undefined, all: undefined }],
    ["GET without params signs the bare path", "GET", undefined],
    ["GET keys sort by code unit (upper case first)", "GET", { b: "1", B: "2", a_b: "3", ab: "4" }],
    [
      "POST body signed field by field, nested objects as JSON in original order",
      "POST",
      {
        z: { y: 1, x: [1, { b: 2, a: 1 }] },
        a: "text with spaces & symbols",
        n: 1.5,
        t: true,
      },
    ],
    ["POST null values are signed as k=null", "POST", { a: null, b: "x" }],
    ["POST with every field undefined signs `path?`", "POST", { a: undefined }],
    ["POST with no body signs the bare path", "POST", undefined],
    ["POST unicode and escapes inside nested JSON", "POST", { o: { s: 'quote " backslash \\ \u2028 中' } }],
  ];
  for (const [name, method, data] of cases) {
    it(name, () => {
      const { clientSigned, candidates } = roundTrip(method, "/api/v3/some-endpoint", data);
      assert.ok(
        candidates.includes(clientSigned),
        `\n${clientSigned}\nnot in\n${candidates.join("\n---\n")}`,
      );
    });
  }

  it("GET an empty array: the SDK signs k=[] and axios leaves it out of the URL", () => {
    const path = "/api/v3/get-user-batch";
    const headers = { date: new Date().toUTCString(), "x-authing-lang": "zh-CN" };
    for (const params of [{ userIds: [] }, { userIds: [], userIdType: "email" }, { userIds: [], tags: [] }]) {
      const clientSigned = buildStringToSign("GET", path, headers, params);
      const url = axios.getUri({ url: path, params });
      assert.ok(!url.includes("userIds"), url);
      const candidates = stringsToSign({
        method: "GET",
        url,
        headers,
        body: undefined,
        arrayParams: ["tags", "userIds"],
      });
      assert.ok(candidates.includes(clientSigned), `${clientSigned}\nnot in\n${candidates.join("\n---\n")}`);
    }
    assert.deepEqual(canonicalResources("GET", "/p?a=1", undefined, ["ids"]), ["/p?a=1", "/p?a=1&ids=[]"]);
    assert.deepEqual(canonicalResources("GET", "/p?ids[]=x", undefined, ["ids"]), ['/p?ids=["x"]']);
    assert.deepEqual(
      canonicalResources("POST", "/p", { a: 1 }, ["ids"]),
      ["/p?a=1"],
      "bodies keep their arrays",
    );
  });

  it("the parameters that may have been empty arrays: a query schema's array-typed properties, sorted", () => {
    assert.deepEqual(arrayParamsOf(GetUserBatchQuery), ["userIds"]);
    const mixed = Type.Object({
      z: Type.Array(Type.String()),
      a: Type.String(),
      b: Type.Optional(Type.Array(Type.Number())),
    });
    assert.deepEqual(arrayParamsOf(mixed), ["b", "z"]);
    for (const none of [undefined, Type.Object({}), Type.String()]) assert.deepEqual(arrayParamsOf(none), []);
  });

  it("an empty parameter set has two candidates, anything else exactly one", () => {
    assert.deepEqual(canonicalResources("GET", "/p", undefined), ["/p", "/p?"]);
    assert.deepEqual(canonicalResources("POST", "/p", {}), ["/p", "/p?"]);
    assert.deepEqual(canonicalResources("GET", "/p?a=1", undefined), ["/p?a=1"]);
  });

  it("canonical headers take date and x-authing-* only, sorted, values trimmed with control characters as spaces", () => {
    const [s] = stringsToSign({
      method: "get",
      url: "/p",
      headers: { "x-authing-b": " v\tw ", date: "D", "x-other": "no", "x-authing-a": "1", accept: "x" },
      body: undefined,
    });
    assert.equal(s, "GET\ndate:D\nx-authing-a:1\nx-authing-b:v w\n/p");
  });

  it("parses `authing <ak>:<sig>` and refuses anything else", () => {
    assert.deepEqual(parseSignatureAuthorization("authing ak1:c2ln+/="), {
      accessKeyId: "ak1",
      signature: "c2ln+/=",
    });
    assert.equal(parseSignatureAuthorization("Bearer x"), undefined);
    assert.equal(parseSignatureAuthorization("authing ak1"), undefined);
    assert.equal(parseSignatureAuthorization(undefined), undefined);
  });

  it("verifies in constant time against every candidate", () => {
    const req = { method: "GET", url: "/p", headers: { date: "D" }, body: undefined };
    assert.ok(signatureMatches("secret", req, sign("secret", "GET\ndate:D\n/p?")));
    assert.ok(signatureMatches("secret", req, sign("secret", "GET\ndate:D\n/p")));
    assert.ok(!signatureMatches("other", req, sign("secret", "GET\ndate:D\n/p")));
    assert.ok(!signatureMatches("secret", req, "short"));
  });
});
