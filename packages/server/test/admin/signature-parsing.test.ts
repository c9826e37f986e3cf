import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalResource } from "@gatehouse/protocol";
import { buildStringToSign } from "authing-node-sdk/dist/utils/buildSignature.js";
import {
  bodyParams,
  canonicalHeaders,
  canonicalResources,
  parseSignatureAuthorization,
  queryParams,
} from "../../src/services/admin/management-signature.js";

// How the server reads a signed management request off the wire, edge by edge (docs/wire-contract.md §1.4.2).
describe("management signature: reading the request", () => {
  it("authorization: surrounding whitespace is ignored; anything before or after the credentials is refused", () => {
    assert.deepEqual(parseSignatureAuthorization("  authing ak1:c2ln  "), {
      accessKeyId: "ak1",
      signature: "c2ln",
    });
    assert.equal(parseSignatureAuthorization("xauthing ak1:c2ln"), undefined);
    assert.equal(parseSignatureAuthorization("Bearer authing ak1:c2ln"), undefined);
    assert.equal(parseSignatureAuthorization("authing ak1:c2ln extra"), undefined);
    assert.equal(parseSignatureAuthorization("authing ak1:c2ln;"), undefined);
  });

  it("headers: a repeated x-authing-* header is signed as its values joined with a comma and a space", () => {
    assert.equal(
      canonicalHeaders({ "X-Authing-B": ["1", "2"], date: "D", "x-authing-a": "v" }),
      "date:D\nx-authing-a:v\nx-authing-b:1, 2\n",
    );
  });

  it("query: a plain key repeated is folded into the JSON array of its values, in order", () => {
    assert.deepEqual(Object.fromEntries(queryParams("/p?a=1&b=x&a=2&a=3")), { a: '["1","2","3"]', b: "x" });
  });

  it("query: it starts at the first question mark, wherever that is", () => {
    assert.deepEqual(Object.fromEntries(queryParams("?a=1")), { a: "1" });
    assert.deepEqual(canonicalResources("GET", "?a=1", undefined), ["?a=1"]);
  });

  it("body: null or not an object has no parameters; undefined fields are skipped", () => {
    assert.equal(bodyParams(null).size, 0);
    assert.equal(bodyParams("text").size, 0);
    assert.deepEqual(Object.fromEntries(bodyParams({ a: undefined, b: 1, c: null })), { b: "1", c: "null" });
  });

  it("canonical resource: object parameters are signed as JSON, exactly as the official SDK signs them", () => {
    const params = { ids: ["a", "b"], filter: { k: "v" }, n: 1 };
    const sdk = buildStringToSign("GET", "/p", {}, params);
    assert.equal(canonicalResource("/p", params), '/p?filter={"k":"v"}&ids=["a","b"]&n=1');
    assert.ok(sdk.endsWith(canonicalResource("/p", params)), sdk);
  });
});
