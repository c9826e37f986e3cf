import assert from "node:assert/strict";
import { before, it } from "node:test";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";
import { createOtherPool, mgmt } from "../helpers/management.js";

describeEachDialect("management tenancy", (h) => {
  let poolB: { id: string; secret: string };
  let userA: any;
  let appA: string;
  let keyA: string;

  before(async () => {
    poolB = await createOtherPool(h());
    // The refusals below only mean something if pool A's user and key exist.
    const created = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { email: "a@pool-a.example", username: "alice" },
    });
    assert.equal(created.statusCode, 200, JSON.stringify(created));
    userA = created.data;
    appA = h().boot.appId;
    const key = await mgmt(h(), "POST", "/api/v3/create-access-key", { body: {} });
    assert.equal(key.statusCode, 200, JSON.stringify(key));
    keyA = key.data[0].accessKeyId;
  });

  it("a key of pool B cannot read pool A's user by any userIdType", async () => {
    for (const [userId, userIdType] of [
      [userA.userId, "user_id"],
      ["a@pool-a.example", "email"],
      ["alice", "username"],
    ]) {
      const r = await mgmt(h(), "GET", "/api/v3/get-user", { key: poolB, params: { userId, userIdType } });
      assertApiError(r, "USER_NOT_FOUND");
    }
    const batch = await mgmt(h(), "GET", "/api/v3/get-user-batch", {
      key: poolB,
      params: { userIds: [userA.userId] },
    });
    assert.deepEqual(batch.data, []);
  });

  it("a key of pool B lists only pool B's users and sees pool A's identifiers as free", async () => {
    const list = await mgmt(h(), "POST", "/api/v3/list-users", { key: poolB, body: {} });
    assert.equal(list.data.totalCount, 0);
    const exists = await mgmt(h(), "POST", "/api/v3/is-user-exists", {
      key: poolB,
      body: { email: "a@pool-a.example" },
    });
    assert.equal(exists.data.exists, false);
    const same = await mgmt(h(), "POST", "/api/v3/create-user", {
      key: poolB,
      body: { email: "a@pool-a.example" },
    });
    assert.equal(same.statusCode, 200, "the same email may exist once per pool");
  });

  it("a key of pool B cannot update or delete pool A's user", async () => {
    const upd = await mgmt(h(), "POST", "/api/v3/update-user", {
      key: poolB,
      body: { userId: userA.userId, name: "X" },
    });
    assertApiError(upd, "USER_NOT_FOUND");
    const del = await mgmt(h(), "POST", "/api/v3/delete-users-batch", {
      key: poolB,
      body: { userIds: [userA.userId] },
    });
    assert.equal(del.statusCode, 200);
    const still = await mgmt(h(), "GET", "/api/v3/get-user", { params: { userId: userA.userId } });
    assert.equal(still.statusCode, 200);
    assert.equal(still.data.name, null);
  });

  it("a key of pool B cannot see, change or delete pool A's applications or their secrets", async () => {
    assert.equal(
      (await mgmt(h(), "GET", "/api/v3/get-application", { key: poolB, params: { appId: appA } })).statusCode,
      404,
    );
    assert.equal(
      (await mgmt(h(), "GET", "/api/v3/get-application-secret", { key: poolB, params: { appId: appA } }))
        .statusCode,
      404,
    );
    assert.equal(
      (
        await mgmt(h(), "POST", "/api/v3/update-application", {
          key: poolB,
          body: { appId: appA, appName: "pwned" },
        })
      ).statusCode,
      404,
    );
    assert.equal(
      (await mgmt(h(), "POST", "/api/v3/refresh-application-secret", { key: poolB, body: { appId: appA } }))
        .statusCode,
      404,
    );
    assert.equal(
      (await mgmt(h(), "POST", "/api/v3/delete-application", { key: poolB, body: { appId: appA } }))
        .statusCode,
      404,
    );
    const list = await mgmt(h(), "GET", "/api/v3/list-applications", { key: poolB, params: {} });
    assert.equal(list.data.totalCount, 0);
    assert.equal(await h().ctx.admin.apps.secret(h().boot.userPoolId, appA), h().boot.appSecret);
  });

  it("settings and custom fields are per pool", async () => {
    const set = await mgmt(h(), "POST", "/api/v3/update-security-settings", {
      key: poolB,
      body: { verifyCodeLength: 4 },
    });
    assert.equal(set.statusCode, 200, JSON.stringify(set));
    // Pool B's write took effect for pool B, and only there.
    const b = await mgmt(h(), "GET", "/api/v3/get-security-settings", { key: poolB });
    assert.equal(b.data.verifyCodeLength, 4);
    assert.equal((await mgmt(h(), "GET", "/api/v3/get-security-settings")).data.verifyCodeLength, 6);
    const fields = await mgmt(h(), "POST", "/api/v3/set-custom-fields", {
      key: poolB,
      body: { list: [{ targetType: "USER", key: "onlyB", dataType: "STRING" }] },
    });
    assert.equal(fields.statusCode, 200, JSON.stringify(fields));
    const fieldsB = await mgmt(h(), "GET", "/api/v3/get-custom-fields", {
      key: poolB,
      params: { targetType: "USER" },
    });
    assert.deepEqual(
      fieldsB.data.map((f: any) => f.key),
      ["onlyB"],
    );
    const a = await mgmt(h(), "GET", "/api/v3/get-custom-fields", { params: { targetType: "USER" } });
    assert.deepEqual(a.data, []);
  });

  it("a key of pool B cannot list, disable or delete pool A's access keys", async () => {
    // Pool B has an extra key of its own, so its list is not empty by accident.
    const keyB = (await mgmt(h(), "POST", "/api/v3/create-access-key", { key: poolB, body: {} })).data[0]
      .accessKeyId;
    const list = await mgmt(h(), "GET", "/api/v3/list-access-key", { key: poolB, params: {} });
    const ids = list.data.map((k: any) => k.accessKeyId);
    assert.ok(ids.includes(keyB), JSON.stringify(list));
    assert.ok(!ids.includes(keyA));
    const off = await mgmt(h(), "POST", "/api/v3/update-access-key", {
      key: poolB,
      body: { accessKeyId: keyA, enable: false },
    });
    assertApiError(off, "ACCESS_KEY_NOT_FOUND");
    const del = await mgmt(h(), "POST", "/api/v3/delete-access-key", {
      key: poolB,
      body: { accessKeyId: keyA },
    });
    assertApiError(del, "ACCESS_KEY_NOT_FOUND");
    const pool = await mgmt(h(), "POST", "/api/v3/delete-access-key", {
      key: poolB,
      body: { accessKeyId: h().boot.userPoolId },
    });
    assertApiError(pool, "ACCESS_KEY_NOT_FOUND");
  });

  it("pool B's management token cannot be pointed at pool A with x-authing-userpool-id", async () => {
    const t = await h().inject({
      method: "POST",
      url: "/api/v3/get-management-token",
      payload: { accessKeyId: poolB.id, accessKeySecret: poolB.secret },
    });
    const res = await h().inject({
      method: "GET",
      url: "/api/v3/get-user",
      query: { userId: userA.userId },
      headers: {
        authorization: `Bearer ${t.json().data.access_token}`,
        "x-authing-userpool-id": h().boot.userPoolId,
      },
    });
    assertApiError(res.json(), "MANAGEMENT_POOL_MISMATCH");
  });

  it("signing with pool A's id but pool B's secret is refused with 1300", async () => {
    const r = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
      key: { id: h().boot.userPoolId, secret: poolB.secret },
    });
    assert.equal(r.apiCode, 1300);
  });
});
