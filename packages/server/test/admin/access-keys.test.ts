import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

async function newKey(h: Harness, key?: { id: string; secret: string }) {
  const r = await mgmt(h, "POST", "/api/v3/create-access-key", { body: { type: "userpool" }, key });
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return { id: r.data[0].accessKeyId as string, secret: r.data[0].accessKeySecret as string, dto: r.data[0] };
}

async function token(h: Harness, accessKeyId: string, accessKeySecret: string) {
  const res = await h.inject({
    method: "POST",
    url: "/api/v3/get-management-token",
    payload: { accessKeyId, accessKeySecret },
  });
  return res.json();
}

describeEachDialect(
  "management access keys and tokens",
  (h) => {
    it("an extra access key of the pool signs requests like the pool's own id and secret", async () => {
      const key = await newKey(h());
      assert.equal(key.dto.userPoolId, h().boot.userPoolId);
      assert.equal(key.dto.enable, true);
      assert.equal(key.dto.status, "activated");
      const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", { key });
      assert.equal(r.statusCode, 200);
    });

    it("list-access-key shows the pool's extra keys; get-access-key one of them", async () => {
      const key = await newKey(h());
      const list = await mgmt(h(), "GET", "/api/v3/list-access-key", { params: {} });
      assert.ok(list.data.some((k: any) => k.accessKeyId === key.id));
      const one = await mgmt(h(), "GET", "/api/v3/get-access-key", { params: { accessKeyId: key.id } });
      assert.equal(one.data[0].accessKeyId, key.id);
      // The status filter: a revoked (disabled) key is listed, the active one is not.
      const off = await newKey(h());
      const disabled = await mgmt(h(), "POST", "/api/v3/update-access-key", {
        body: { accessKeyId: off.id, enable: false },
      });
      assert.equal(disabled.statusCode, 200, JSON.stringify(disabled));
      const revoked = await mgmt(h(), "GET", "/api/v3/list-access-key", {
        params: { status: ["revoked"] },
      });
      const ids = revoked.data.map((k: any) => k.accessKeyId);
      assert.ok(ids.includes(off.id), JSON.stringify(revoked));
      assert.ok(!ids.includes(key.id));
      assert.ok(revoked.data.every((k: any) => k.status === "revoked"));
    });

    it("a disabled key is refused with 1300 until enabled again", async () => {
      const key = await newKey(h());
      const off = await mgmt(h(), "POST", "/api/v3/update-access-key", {
        body: { accessKeyId: key.id, enable: false },
      });
      assert.deepEqual(off.data, { success: true });
      assert.equal((await mgmt(h(), "GET", "/api/v3/get-security-settings", { key })).apiCode, 1300);
      await mgmt(h(), "POST", "/api/v3/update-access-key", { body: { accessKeyId: key.id, enable: true } });
      assert.equal((await mgmt(h(), "GET", "/api/v3/get-security-settings", { key })).statusCode, 200);
    });

    it("a deleted key is refused with 1300", async () => {
      const key = await newKey(h());
      const del = await mgmt(h(), "POST", "/api/v3/delete-access-key", { body: { accessKeyId: key.id } });
      assert.equal(del.statusCode, 200);
      assert.equal((await mgmt(h(), "GET", "/api/v3/get-security-settings", { key })).apiCode, 1300);
      const again = await mgmt(h(), "POST", "/api/v3/delete-access-key", { body: { accessKeyId: key.id } });
      assert.equal(again.statusCode, 404);
    });

    it("the pool's own id/secret cannot be disabled or deleted", async () => {
      const id = h().boot.userPoolId;
      const off = await mgmt(h(), "POST", "/api/v3/update-access-key", {
        body: { accessKeyId: id, enable: false },
      });
      assert.equal(off.statusCode, 422);
      const del = await mgmt(h(), "POST", "/api/v3/delete-access-key", { body: { accessKeyId: id } });
      assert.equal(del.statusCode, 422);
      assert.equal((await mgmt(h(), "GET", "/api/v3/get-security-settings")).statusCode, 200);
    });

    it("get-management-token answers statusCode 200 and code 200 with a token valid for 7200 s", async () => {
      const r = await token(h(), h().boot.userPoolId, h().boot.userPoolSecret);
      assert.equal(r.statusCode, 200);
      assert.equal(r.code, 200);
      assert.equal(r.data.expires_in, 7200);
      const claims = JSON.parse(Buffer.from(r.data.access_token.split(".")[1], "base64url").toString());
      assert.equal(claims.scoped_userpool_id, h().boot.userPoolId);
    });

    it("Authorization: Bearer <management token> with x-authing-userpool-id calls the management API", async () => {
      const { data } = await token(h(), h().boot.userPoolId, h().boot.userPoolSecret);
      const res = await h().inject({
        method: "POST",
        url: "/api/v3/create-user",
        headers: {
          authorization: `Bearer ${data.access_token}`,
          "x-authing-userpool-id": h().boot.userPoolId,
        },
        payload: { username: "via-token" },
      });
      assert.equal(res.json().statusCode, 200, res.body);
      assert.equal(res.json().data.username, "via-token");
    });

    it("a management token with another pool's x-authing-userpool-id is refused", async () => {
      const { data } = await token(h(), h().boot.userPoolId, h().boot.userPoolSecret);
      const res = await h().inject({
        method: "GET",
        url: "/api/v3/get-security-settings",
        headers: { authorization: `Bearer ${data.access_token}`, "x-authing-userpool-id": "another-pool" },
      });
      assertApiError(res.json(), "MANAGEMENT_POOL_MISMATCH");
    });

    it("get-management-token refuses a wrong secret or an unknown key with 401", async () => {
      assertApiError(await token(h(), h().boot.userPoolId, "wrong"), "ACCESS_KEY_CREDENTIALS_INVALID");
      assertApiError(await token(h(), "unknown", "wrong"), "ACCESS_KEY_CREDENTIALS_INVALID");
    });

    it("a management token expires after 7200 s (401/2206)", async () => {
      const { data } = await token(h(), h().boot.userPoolId, h().boot.userPoolSecret);
      (h().ctx.clock as FakeClock).advance(7201 * 1000);
      const res = await h().inject({
        method: "GET",
        url: "/api/v3/get-security-settings",
        headers: { authorization: `Bearer ${data.access_token}` },
      });
      assert.equal(res.json().statusCode, 401);
      assert.equal(res.json().apiCode, 2206);
    });

    it("disabling an access key ends its management tokens at once", async () => {
      const key = await newKey(h());
      const { data } = await token(h(), key.id, key.secret);
      const call = () =>
        h().inject({
          method: "GET",
          url: "/api/v3/get-security-settings",
          headers: { authorization: `Bearer ${data.access_token}` },
        });
      assert.equal((await call()).json().statusCode, 200);
      await mgmt(h(), "POST", "/api/v3/update-access-key", { body: { accessKeyId: key.id, enable: false } });
      assertApiError((await call()).json(), "TOKEN_INVALID");
    });

    it("a forged or garbage bearer token is refused with 401/2207", async () => {
      const res = await h().inject({
        method: "GET",
        url: "/api/v3/get-security-settings",
        headers: { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzY29wZWRfdXNlcnBvb2xfaWQiOiJ4In0." },
      });
      assert.equal(res.json().statusCode, 401);
      assert.equal(res.json().apiCode, 2207);
    });
  },
  { clock: new FakeClock(Date.UTC(2026, 5, 1)) },
);
