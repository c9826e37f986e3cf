import assert from "node:assert/strict";
import { it } from "node:test";
import { signedInUser } from "../helpers/auth.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

describeEachDialect("authorization: data resources and data policies", (h) => {
  const post = (path: string, body: unknown) => mgmt(h(), "POST", path, { body });
  const get = (path: string, params: Record<string, unknown>) => mgmt(h(), "GET", path, { params });
  let ns = "";
  let token = "";
  let userId = "";
  let policyId = "";
  const me = (path: string, body: unknown) => h().api("POST", path, body, { authorization: token });
  const check = async (kind: string, resources: string[], action: string) => {
    const r = await me(`/api/v3/check-permission-${kind}-resource`, { resources, action });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    return r.data.checkResultList.map((x: any) => x.enabled);
  };
  const tree = [
    {
      code: "hq",
      name: "HQ",
      value: "1",
      children: [
        { code: "sales", name: "Sales", children: [{ code: "east", name: "East" }] },
        { code: "secret", name: "Secret" },
      ],
    },
  ];

  it("create-string/array/tree-data-resource, get, list, update", async () => {
    ns = h().boot.appId;
    await post("/api/v3/create-permission-namespace", { code: ns, name: "App" });
    const s = await post("/api/v3/create-string-data-resource", {
      namespaceCode: ns,
      resourceCode: "motto",
      resourceName: "Motto",
      struct: "hello",
      actions: ["read", "write"],
    });
    assert.deepEqual(s.data, {
      resourceName: "Motto",
      resourceCode: "motto",
      type: "STRING",
      struct: "hello",
      actions: ["read", "write"],
    });
    const a = await post("/api/v3/create-array-data-resource", {
      namespaceCode: ns,
      resourceCode: "regions",
      resourceName: "Regions",
      struct: ["eu", "us"],
      actions: ["read"],
    });
    assert.equal(a.data.type, "ARRAY");
    const t = await post("/api/v3/create-tree-data-resource", {
      namespaceCode: ns,
      resourceCode: "org",
      resourceName: "Org",
      struct: tree,
      actions: ["read", "manage"],
    });
    assert.equal(t.statusCode, 200, JSON.stringify(t));
    assert.deepEqual(t.data.struct, tree);
    assertApiError(
      await post("/api/v3/create-string-data-resource", {
        namespaceCode: ns,
        resourceCode: "motto",
        resourceName: "Again",
        struct: "x",
        actions: ["read"],
      }),
      "RESOURCE_EXISTS",
    );
    const got = await get("/api/v3/get-data-resource", { namespaceCode: ns, resourceCode: "org" });
    assert.equal(got.data.namespaceCode, ns);
    const list = await get("/api/v3/list-data-resources", { namespaceCodes: [ns] });
    assert.deepEqual(list.data.list.map((x: any) => x.resourceCode).sort(), ["motto", "org", "regions"]);
    const upd = await post("/api/v3/update-data-resource", {
      namespaceCode: ns,
      resourceCode: "motto",
      struct: "hi",
    });
    assert.equal(upd.data.struct, "hi");
  });

  it("data policies: create (permissions checked), get, list, update", async () => {
    const bad = await post("/api/v3/create-data-policy", {
      policyName: "bad",
      statementList: [{ effect: "ALLOW", permissions: [`${ns}/org/hq/nowhere/read`] }],
    });
    // PERMISSION_INVALID, its message naming the permission and what is wrong with it
    assert.equal(bad.statusCode, 400);
    assert.match(bad.message, /org\/hq\/nowhere\/read：树节点不存在$/);
    const fly = await post("/api/v3/create-data-policy", {
      policyName: "bad",
      statementList: [{ effect: "ALLOW", permissions: [`${ns}/motto/fly`] }],
    });
    assert.equal(fly.statusCode, 400);
    assert.match(fly.message, /motto\/fly：数据资源没有此操作$/);
    const p = await post("/api/v3/create-data-policy", {
      policyName: "readers",
      description: "d",
      statementList: [
        { effect: "ALLOW", permissions: [`${ns}/motto/read`, `${ns}/regions/read`, `${ns}/org/hq/read`] },
        { effect: "DENY", permissions: [`${ns}/org/hq/secret/read`] },
      ],
    });
    assert.equal(p.statusCode, 200, JSON.stringify(p));
    policyId = p.data.policyId;
    assertApiError(
      await post("/api/v3/create-data-policy", {
        policyName: "readers",
        statementList: p.data.statementList ?? [{ effect: "ALLOW", permissions: [`${ns}/motto/read`] }],
      }),
      "DATA_POLICY_EXISTS",
    );
    assert.equal((await get("/api/v3/get-data-policy", { policyId })).data.policyName, "readers");
    await post("/api/v3/update-data-policy", { policyId, description: "readers of things" });
    const list = await get("/api/v3/list-data-policies", { query: "read" });
    assert.equal(list.data.totalCount, 1);
    assert.deepEqual(list.data.list[0].resourceList.map((r: any) => r.resourceName).sort(), [
      "motto",
      "org",
      "regions",
    ]);
  });

  it("authorize-data-policies to a user: string, array and tree checks answer from the policy", async () => {
    const u = await signedInUser(h(), "data@authz.test");
    token = u.access_token;
    userId = u.userId;
    assert.deepEqual(await check("string", ["motto"], "read"), [false]);
    const r = await post("/api/v3/authorize-data-policies", {
      policyIds: [policyId],
      targetList: [{ id: userId, type: "USER" }],
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.deepEqual(await check("string", ["motto"], "read"), [true]);
    assert.deepEqual(await check("string", ["motto"], "write"), [false]);
    assert.deepEqual(await check("array", ["regions"], "read"), [true]);
    assert.deepEqual(await check("tree", ["org/hq", "org/hq/sales/east", "org/hq/secret", "org"], "read"), [
      true,
      true,
      false,
      false,
    ]);
    const list = await get("/api/v3/list-data-policies", {});
    assert.deepEqual(
      list.data.list[0].targetList.map((t: any) => [t.id, t.type]),
      [[userId, "USER"]],
    );
  });

  it("get-user-auth-resource-list and get-user-auth-resource-struct", async () => {
    const l = await h().api("GET", "/api/v3/get-user-auth-resource-list", undefined, {
      authorization: token,
    });
    assert.equal(l.statusCode, 200, JSON.stringify(l));
    const [entry] = l.data.userPermissionList;
    assert.equal(entry.userId, userId);
    assert.equal(entry.namespaceCode, ns);
    const byCode = Object.fromEntries(entry.resourceList.map((r: any) => [r.resourceCode, r]));
    assert.deepEqual(byCode.motto.strAuthorize, { value: "hi", actions: ["read"] });
    assert.deepEqual(byCode.regions.arrAuthorize, { values: ["eu", "us"], actions: ["read"] });
    assert.deepEqual(
      byCode.org.treeAuthorize.authList.map((n: any) => [n.nodePath, n.nodeActions]),
      [
        ["org/hq", ["read"]],
        ["org/hq/sales", ["read"]],
        ["org/hq/sales/east", ["read"]],
      ],
    );
    const s = await me("/api/v3/get-user-auth-resource-struct", { resource: "org" });
    assert.equal(s.statusCode, 200, JSON.stringify(s));
    const hq = s.data.treeResourceAuthAction.nodeAuthActionList[0];
    assert.deepEqual(hq.actions, ["read"]);
    assert.deepEqual(
      hq.children.map((c: any) => [c.code, c.actions]),
      [
        ["sales", ["read"]],
        ["secret", []],
      ],
    );
    assertApiError(
      await me("/api/v3/get-user-auth-resource-struct", { resource: "ghost" }),
      "RESOURCE_NOT_FOUND",
    );
  });

  it("every policy writer drops the cache: revoke, re-authorize through a role, update statements, delete", async () => {
    await post("/api/v3/revoke-data-policy", { policyId, targetType: "USER", targetIdentifier: userId });
    assert.deepEqual(await check("string", ["motto"], "read"), [false]);
    const role = await post("/api/v3/create-role", { code: "data-reader" });
    await post("/api/v3/assign-role", {
      code: "data-reader",
      targets: [{ targetType: "USER", targetIdentifier: userId }],
    });
    await post("/api/v3/authorize-data-policies", {
      policyIds: [policyId],
      targetList: [{ id: role.data.id, type: "ROLE" }],
    });
    assert.deepEqual(await check("string", ["motto"], "read"), [true]);
    await post("/api/v3/update-data-policy", {
      policyId,
      statementList: [{ effect: "ALLOW", permissions: [`${ns}/regions/read`] }],
    });
    assert.deepEqual(await check("string", ["motto", "regions"], "read"), [false, true]);
    await post("/api/v3/delete-data-resource", { namespaceCode: ns, resourceCode: "regions" });
    assert.deepEqual(await check("string", ["regions"], "read"), [false]);
    await post("/api/v3/update-data-policy", {
      policyId,
      statementList: [{ effect: "ALLOW", permissions: [`${ns}/motto/read`] }],
    });
    assert.deepEqual(await check("string", ["motto"], "read"), [true]);
    const del = await post("/api/v3/delete-data-policy", { policyId });
    assert.equal(del.statusCode, 200);
    assert.deepEqual(await check("string", ["motto"], "read"), [false]);
    assertApiError(await get("/api/v3/get-data-policy", { policyId }), "DATA_POLICY_NOT_FOUND");
  });

  it("hostile input: a too-deep tree, a wrong struct, an ORG target, an unknown namespace", async () => {
    let deep: any = { code: "n", name: "N" };
    for (let i = 0; i < 20; i++) deep = { code: `n${i}`, name: "N", children: [deep] };
    const r = await post("/api/v3/create-tree-data-resource", {
      namespaceCode: ns,
      resourceCode: "deep",
      resourceName: "Deep",
      struct: [deep],
      actions: ["read"],
    });
    assert.equal(r.statusCode, 400, JSON.stringify(r));
    const wrong = await post("/api/v3/update-data-resource", {
      namespaceCode: ns,
      resourceCode: "org",
      struct: "flat",
    });
    assert.equal(wrong.statusCode, 400);
    const p = await post("/api/v3/create-data-policy", {
      policyName: "p2",
      statementList: [{ effect: "ALLOW", permissions: [`${ns}/motto/read`] }],
    });
    assertApiError(
      await post("/api/v3/authorize-data-policies", {
        policyIds: [p.data.policyId],
        targetList: [{ id: "x", type: "ORG" }],
      }),
      "TARGET_TYPE_UNSUPPORTED",
    );
    assertApiError(
      await post("/api/v3/create-string-data-resource", {
        namespaceCode: "ghost",
        resourceCode: "x",
        resourceName: "X",
        struct: "",
        actions: ["read"],
      }),
      "NAMESPACE_NOT_FOUND",
    );
  });
});
