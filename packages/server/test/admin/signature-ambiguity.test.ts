import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt, type SignOptions, signedRequest } from "../helpers/management.js";

/**
 * The signature's canonical string joins `k=v` unescaped and prints values without their type
 * (docs/wire-contract.md §1.4.2, ambiguous canonical strings). Signed requests whose canonical string could equally be another
 * request's are refused; every request here is signed by the official SDK's own signer (through
 * helpers/management.ts).
 */
async function sendSigned(h: Harness, method: "GET" | "POST", path: string, opts: SignOptions) {
  const req = signedRequest(h, method, path, opts);
  const res = await h.inject({ method, url: req.url, headers: req.headers, payload: req.payload });
  assert.equal(res.statusCode, 200, "the management API always answers HTTP 200");
  return res.json();
}

function assertAmbiguous(r: any, field: string) {
  assert.equal(r.statusCode, 400, JSON.stringify(r));
  // The official SDK asks for zh-CN: the reason is in Chinese too, naming the field.
  assert.match(r.message, /^签名请求有歧义：[^a-z]*参/);
  assert.match(r.message, new RegExp(field));
  assert.equal(r.data, undefined);
}

describeEachDialect("management signature: ambiguous canonical strings", (h) => {
  let userId = "";
  it("setup: a user to update", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { username: "amb-1", nickname: "Amb" },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    userId = r.data.userId;
  });

  const getUser = async () =>
    (await mgmt(h(), "GET", "/api/v3/get-user", { params: { userId, userIdType: "user_id" } })).data;

  it("a field smuggled inside another value is refused, signed as sent", async () => {
    const r = await sendSigned(h(), "POST", "/api/v3/update-user", {
      body: { userId, nickname: "x&password=Smuggled-pw-1" },
    });
    assertAmbiguous(r, "nickname");
    assert.equal((await getUser()).nickname, "Amb");
  });

  it("a body merged into one value still verifies the SDK's signature over the split body, and is refused", async () => {
    const split = { userId, nickname: "x", phone: "13800000001" };
    const merged = { userId, nickname: "x&phone=13800000001" };
    const r = await sendSigned(h(), "POST", "/api/v3/update-user", {
      body: split,
      wireBody: JSON.stringify(merged),
    });
    assertAmbiguous(r, "nickname");
    assert.equal((await getUser()).nickname, "Amb");
  });

  it("a GET value holding `&field=` of that endpoint is refused", async () => {
    const r = await sendSigned(h(), "GET", "/api/v3/get-user", {
      params: { userId: `${userId}&userIdType=username`, userIdType: "user_id" },
    });
    assertAmbiguous(r, "userId");
  });

  it("a key holding `=` or `&` is refused", async () => {
    for (const key of ["nick=name", "a&b"]) {
      const r = await sendSigned(h(), "POST", "/api/v3/update-user", { body: { userId, [key]: "v" } });
      assertAmbiguous(r, key.replace(/[&=]/g, "."));
    }
  });

  it('the string "null" where null is accepted signs like null, and is refused', async () => {
    // The SDK prints null as "null": a signature over {nickname: null} (clear it) verifies "null".
    const r = await sendSigned(h(), "POST", "/api/v3/update-user", {
      body: { userId, nickname: null },
      wireBody: JSON.stringify({ userId, nickname: "null" }),
    });
    assertAmbiguous(r, "nickname");
    const direct = await sendSigned(h(), "POST", "/api/v3/update-user", {
      body: { userId, nickname: "null" },
    });
    assertAmbiguous(direct, "nickname");
    assert.equal((await getUser()).nickname, "Amb");
  });

  it("a string printed like the JSON of an object the field accepts is refused", async () => {
    const r = await sendSigned(h(), "POST", "/api/v3/update-user", {
      body: { userId, metadata: '{"role":"admin"}' },
    });
    assertAmbiguous(r, "metadata");
  });

  it("ordinary values pass: & without a field name, =, unicode, and strings no other type prints as", async () => {
    for (const nickname of [
      "Tom & Jerry",
      "R&D",
      "a&b",
      "x=y",
      "a & b = c",
      "&nosuchfield=1",
      "中文 & émoji 😀",
      "undefined",
      "[object Object]",
      "true",
      "12",
      "{not json}",
      'null"',
      " null",
    ]) {
      const r = await sendSigned(h(), "POST", "/api/v3/update-user", { body: { userId, nickname } });
      assert.equal(r.statusCode, 200, `${nickname}: ${JSON.stringify(r)}`);
      assert.equal((await getUser()).nickname, nickname);
    }
    const cleared = await sendSigned(h(), "POST", "/api/v3/update-user", {
      body: { userId, nickname: null },
    });
    assert.equal(cleared.statusCode, 200, JSON.stringify(cleared));
    const listed = await mgmt(h(), "GET", "/api/v3/list-applications", {
      params: { page: 1, limit: 10, keywords: "a b&c+d=e 中文", isIntegrateApp: false },
    });
    assert.equal(listed.statusCode, 200, JSON.stringify(listed));
  });
});
