import assert from "node:assert/strict";
import { it } from "node:test";
import { signedInUser } from "../helpers/auth.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";
import { createOtherPool, mgmt } from "../helpers/management.js";

describeEachDialect("management: namespaces, roles, groups, resources", (h) => {
  const post = (path: string, body: unknown) => mgmt(h(), "POST", path, { body });
  const get = (path: string, params: Record<string, unknown>) => mgmt(h(), "GET", path, { params });
  let alice = "";
  let bob = "";

  it("permission namespaces: create, get, list, update, delete; the older namespace paths are the same thing", async () => {
    const created = await post("/api/v3/create-permission-namespace", {
      code: "shop",
      name: "Shop",
      description: "d",
    });
    assert.deepEqual(created.data, { code: "shop", name: "Shop", description: "d", status: 1 });
    assertApiError(await post("/api/v3/create-namespace", { code: "shop" }), "NAMESPACE_EXISTS");
    assert.equal((await get("/api/v3/get-namespace", { code: "shop" })).data.name, "Shop");
    const listed = await get("/api/v3/list-permission-namespaces", { query: "sho" });
    assert.deepEqual(
      listed.data.list.map((n: any) => n.code),
      ["shop"],
    );
    const renamed = await post("/api/v3/update-namespace", { code: "shop", newCode: "store", name: "Store" });
    assert.equal(renamed.data.code, "store");
    assertApiError(await get("/api/v3/get-permission-namespace", { code: "shop" }), "NAMESPACE_NOT_FOUND");
    assert.equal((await post("/api/v3/delete-permission-namespace", { code: "store" })).data.success, true);
    assertApiError(await get("/api/v3/get-namespace", { code: "store" }), "NAMESPACE_NOT_FOUND");
    assertApiError(await post("/api/v3/delete-namespace", { code: "default" }), "NAMESPACE_PROTECTED");
  });

  it("roles: create (default namespace), get, list, update, delete; unknown namespace is 404", async () => {
    const r = await post("/api/v3/create-role", { code: "admin", name: "Admin", description: "all" });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.equal(r.data.namespace, "default");
    assert.equal(r.data.status, "ENABLE");
    assertApiError(await post("/api/v3/create-role", { code: "admin" }), "ROLE_EXISTS");
    assertApiError(
      await post("/api/v3/create-role", { code: "x", namespace: "nope" }),
      "NAMESPACE_NOT_FOUND",
    );
    const v = await post("/api/v3/create-role", { code: "viewer", disableTime: "4102444800000" });
    assert.equal(v.statusCode, 200, JSON.stringify(v));
    const viewer = await get("/api/v3/get-role", { code: "viewer" });
    assert.equal(viewer.data.disableTime, 4102444800000);
    const list = await get("/api/v3/list-roles", { keywords: "adm" });
    assert.deepEqual(
      list.data.list.map((x: any) => x.code),
      ["admin"],
    );
    await post("/api/v3/update-role", { code: "viewer", newCode: "reader", name: "Reader" });
    assert.equal((await get("/api/v3/get-role", { code: "reader" })).data.name, "Reader");
    await post("/api/v3/delete-roles-batch", { codeList: ["reader"] });
    assertApiError(await get("/api/v3/get-role", { code: "reader" }), "ROLE_NOT_FOUND");
  });

  it("groups: create, get, list, update, members, a user's groups, delete", async () => {
    alice = (await signedInUser(h(), "alice@authz.test")).userId;
    bob = (await signedInUser(h(), "bob@authz.test")).userId;
    const g = await post("/api/v3/create-group", {
      code: "staff",
      name: "Staff",
      description: "",
      type: "static",
    });
    assert.equal(g.statusCode, 200, JSON.stringify(g));
    assert.deepEqual(g.data.members, []);
    assertApiError(await post("/api/v3/create-group", { code: "staff", name: "Again" }), "GROUP_EXISTS");
    await post("/api/v3/add-group-members", { code: "staff", userIds: [alice, bob] });
    assertApiError(
      await post("/api/v3/add-group-members", { code: "staff", userIds: ["nobody"] }),
      "USER_NOT_FOUND",
    );
    const members = await get("/api/v3/list-group-members", { code: "staff" });
    assert.equal(members.data.totalCount, 2);
    assert.deepEqual(members.data.list.map((u: any) => u.userId).sort(), [alice, bob].sort());
    await post("/api/v3/remove-group-members", { code: "staff", userIds: [bob] });
    const ofAlice = await get("/api/v3/get-user-groups", { userId: "alice@authz.test", userIdType: "email" });
    assert.deepEqual(
      ofAlice.data.list.map((x: any) => x.code),
      ["staff"],
    );
    assert.equal((await get("/api/v3/get-user-groups", { userId: bob })).data.totalCount, 0);
    const updated = await post("/api/v3/update-group", {
      code: "staff",
      description: "people",
      name: "People",
    });
    assert.equal(updated.data.name, "People");
    assert.equal((await get("/api/v3/list-groups", { keywords: "staf" })).data.totalCount, 1);
    await post("/api/v3/create-group", { code: "temp", name: "Temp", description: "" });
    await post("/api/v3/delete-groups-batch", { codeList: ["temp"] });
    assertApiError(await get("/api/v3/get-group", { code: "temp" }), "GROUP_NOT_FOUND");
  });

  it("assign-role to a user and a group; list-role-members, get-user-roles, has-any-role; revoke-role", async () => {
    await post("/api/v3/create-role", { code: "editor" });
    const assigned = await post("/api/v3/assign-role", {
      code: "editor",
      targets: [
        { targetType: "USER", targetIdentifier: bob },
        { targetType: "GROUP", targetIdentifier: "staff" },
      ],
    });
    assert.equal(assigned.data.success, true);
    const members = await get("/api/v3/list-role-members", { code: "editor" });
    assert.deepEqual(
      members.data.list.map((u: any) => u.userId),
      [bob],
    );
    // alice holds it through the group
    const aliceRoles = await get("/api/v3/get-user-roles", { userId: alice });
    assert.deepEqual(
      aliceRoles.data.list.map((x: any) => [x.code, x.status]),
      [["editor", "ENABLE"]],
    );
    const has = await post("/api/v3/has-any-role", {
      userId: alice,
      roles: [{ code: "nope" }, { code: "editor" }],
    });
    assert.equal(has.data.hasAnyRole, true);
    await post("/api/v3/revoke-role", {
      code: "editor",
      targets: [{ targetType: "GROUP", targetIdentifier: "staff" }],
    });
    assert.equal(
      (await post("/api/v3/has-any-role", { userId: alice, roles: [{ code: "editor" }] })).data.hasAnyRole,
      false,
    );
    assertApiError(
      await post("/api/v3/assign-role", {
        code: "editor",
        targets: [{ targetType: "DEPARTMENT", targetIdentifier: "d" }],
      }),
      "TARGET_TYPE_UNSUPPORTED",
    );
  });

  it("an assignment's window shows as status and disableTime on get-user-roles", async () => {
    const now = h().ctx.clock.now();
    await post("/api/v3/create-role", { code: "contractor" });
    await post("/api/v3/assign-role", {
      code: "contractor",
      targets: [{ targetType: "USER", targetIdentifier: alice }],
      endTime: now - 1000,
    });
    const roles = await get("/api/v3/get-user-roles", { userId: alice });
    const c = roles.data.list.find((x: any) => x.code === "contractor");
    assert.equal(c.status, "DISABLE");
    assert.equal(c.disableTime, now - 1000);
  });

  it("resources: create, get, list, update, delete", async () => {
    const r = await post("/api/v3/create-resource", {
      type: "API",
      code: "orders",
      name: "Orders",
      actions: [{ name: "read", description: "r" }, { name: "write" }],
      apiIdentifier: "/api/orders",
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.deepEqual(r.data.actions, [
      { name: "read", description: "r" },
      { name: "write", description: "" },
    ]);
    assertApiError(await post("/api/v3/create-resource", { type: "API", code: "orders" }), "RESOURCE_EXISTS");
    assert.equal((await get("/api/v3/get-resource", { code: "orders" })).data.apiIdentifier, "/api/orders");
    await post("/api/v3/update-resource", { code: "orders", description: "all orders" });
    const list = await get("/api/v3/list-resources", { type: "API" });
    assert.equal(list.data.totalCount, 1);
    assert.equal(list.data.list[0].description, "all orders");
    await post("/api/v3/create-resource", { type: "MENU", code: "gone" });
    await post("/api/v3/delete-resource", { code: "gone" });
    assertApiError(await get("/api/v3/get-resource", { code: "gone" }), "RESOURCE_NOT_FOUND");
  });

  it("authorize-resources to a user, a role and a group; get-{user,role,group}-authorized-resources", async () => {
    await post("/api/v3/create-role", { code: "auditor" });
    await post("/api/v3/assign-role", {
      code: "auditor",
      targets: [{ targetType: "USER", targetIdentifier: alice }],
    });
    const res = await post("/api/v3/authorize-resources", {
      list: [
        {
          targetType: "ROLE",
          targetIdentifiers: ["auditor"],
          resources: [{ code: "orders", resourceType: "API", actions: ["read", "write"] }],
        },
        {
          targetType: "USER",
          targetIdentifiers: [alice],
          resources: [{ code: "orders", resourceType: "API", actions: ["write"], effect: "DENY" }],
        },
        {
          targetType: "GROUP",
          targetIdentifiers: ["staff"],
          resources: [{ code: "reports", resourceType: "MENU", actions: ["view"] }],
        },
      ],
    });
    assert.equal(res.data.success, true, JSON.stringify(res));
    const role = await get("/api/v3/get-role-authorized-resources", { code: "auditor" });
    assert.deepEqual(
      role.data.list.map((x: any) => [x.resourceCode, x.actions, x.apiIdentifier]),
      [["orders", ["read", "write"], "/api/orders"]],
    );
    const group = await get("/api/v3/get-group-authorized-resources", { code: "staff" });
    assert.deepEqual(
      group.data.map((x: any) => [x.resourceCode, x.resourceType]),
      [["reports", "MENU"]],
    );
    const user = await get("/api/v3/get-user-authorized-resources", { userId: alice });
    const byCode = Object.fromEntries(user.data.list.map((x: any) => [x.resourceCode, x.actions]));
    assert.deepEqual(byCode, { orders: ["read"], reports: ["view"] });
    const menus = await get("/api/v3/get-user-authorized-resources", { userId: alice, resourceType: "MENU" });
    assert.deepEqual(
      menus.data.list.map((x: any) => x.resourceCode),
      ["reports"],
    );
  });

  it("hostile input: bad enums, huge arrays, control characters and unknown targets answer clear 4xx envelopes", async () => {
    const bad = await post("/api/v3/create-resource", { type: "ROCKET", code: "x" });
    assert.equal(bad.statusCode, 400);
    const huge = await post("/api/v3/delete-roles-batch", {
      codeList: Array.from({ length: 5000 }, (_, i) => `r${i}`),
    });
    assert.equal(huge.statusCode, 400);
    const ctl = await post("/api/v3/create-role", { code: "a\u0000b" });
    assert.equal(ctl.statusCode, 400);
    assertApiError(
      await post("/api/v3/authorize-resources", {
        list: [
          {
            targetType: "ROLE",
            targetIdentifiers: ["ghost"],
            resources: [{ code: "o", resourceType: "API", actions: ["read"] }],
          },
        ],
      }),
      "ROLE_NOT_FOUND",
    );
    assertApiError(await get("/api/v3/get-user-roles", { userId: "ghost" }), "USER_NOT_FOUND");
    const many = await post("/api/v3/authorize-resources", {
      list: [
        {
          targetType: "USER",
          targetIdentifiers: Array.from({ length: 20 }, () => alice),
          resources: Array.from({ length: 100 }, (_, i) => ({
            code: `m${i}`,
            resourceType: "DATA",
            actions: ["read"],
          })),
        },
      ],
    });
    assert.equal(many.statusCode, 400);
    assert.match(many.message, /最多写入 1000 条授权/);
    assertApiError(await get("/api/v3/list-roles", { namespace: "ghost" }), "NAMESPACE_NOT_FOUND");
  });

  it("another pool sees none of it: roles, groups, resources, members and grants stay in their pool", async () => {
    const other = await createOtherPool(h());
    const as = (method: "GET" | "POST", path: string, o: object) =>
      mgmt(h(), method, path, { key: other, ...o });
    assertApiError(await as("GET", "/api/v3/get-role", { params: { code: "admin" } }), "ROLE_NOT_FOUND");
    assertApiError(await as("GET", "/api/v3/get-group", { params: { code: "staff" } }), "GROUP_NOT_FOUND");
    assertApiError(
      await as("GET", "/api/v3/get-resource", { params: { code: "orders" } }),
      "RESOURCE_NOT_FOUND",
    );
    assert.equal((await as("GET", "/api/v3/list-groups", { params: {} })).data.totalCount, 0);
    await as("POST", "/api/v3/create-group", { body: { code: "staff", name: "Theirs", description: "" } });
    assertApiError(
      await as("POST", "/api/v3/add-group-members", { body: { code: "staff", userIds: [alice] } }),
      "USER_NOT_FOUND",
    );
    assertApiError(
      await as("GET", "/api/v3/get-user-roles", { params: { userId: alice } }),
      "USER_NOT_FOUND",
    );
  });

  it("a new pool has its default namespace from the start: a refused request that names none changes nothing", async () => {
    const other = await createOtherPool(h());
    const namespaces = () =>
      h()
        .ctx.db.kysely.selectFrom("authz_namespaces")
        .select(["code"])
        .where("pool_id", "=", other.id)
        .execute();
    assert.deepEqual(await namespaces(), [{ code: "default" }]);
    const as = (method: "GET" | "POST", path: string, o: object) =>
      mgmt(h(), method, path, { key: other, ...o });
    assertApiError(
      await as("POST", "/api/v3/update-resource", { body: { code: "nope", name: "x" } }),
      "RESOURCE_NOT_FOUND",
    );
    assert.equal(
      (await as("GET", "/api/v3/get-namespace", { params: { code: "default" } })).data.code,
      "default",
    );
    assert.deepEqual(await namespaces(), [{ code: "default" }]);
  });
});
