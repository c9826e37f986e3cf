import assert from "node:assert/strict";
import { it } from "node:test";
import { signedInUser } from "../helpers/auth.js";
import { assertApiError } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

describeEachDialect("authorization: the signed-in user's side", (h) => {
  const post = async (path: string, body: unknown) => {
    const r = await mgmt(h(), "POST", path, { body });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    return r;
  };
  let token = "";
  let userId = "";
  const me = (method: "GET" | "POST", path: string, body?: unknown) => {
    const url =
      method === "GET" && body ? `${path}?${new URLSearchParams(body as Record<string, string>)}` : path;
    return h().api(method, url, method === "POST" ? body : undefined, { authorization: token });
  };

  it("setup: a user with a role (direct), a role through a group, an expired role and grants", async () => {
    const u = await signedInUser(h(), "me@authz.test");
    token = u.access_token;
    userId = u.userId;
    const ns = h().boot.appId;
    await post("/api/v3/create-permission-namespace", { code: ns, name: "App" });
    await post("/api/v3/create-role", { code: "writer" });
    await post("/api/v3/create-role", { code: "old" });
    await post("/api/v3/create-role", { code: "member" });
    await post("/api/v3/create-group", { code: "team", name: "Team", description: "" });
    await post("/api/v3/add-group-members", { code: "team", userIds: [userId] });
    const me = [{ targetType: "USER", targetIdentifier: userId }];
    await post("/api/v3/assign-role", { code: "writer", targets: me });
    await post("/api/v3/assign-role", { code: "old", targets: me, endTime: h().ctx.clock.now() - 1 });
    await post("/api/v3/assign-role", {
      code: "member",
      targets: [{ targetType: "GROUP", targetIdentifier: "team" }],
    });
    await post("/api/v3/create-resource", {
      type: "MENU",
      code: "menu",
      namespace: ns,
      description: "the menu",
    });
    await post("/api/v3/authorize-resources", {
      namespace: ns,
      list: [
        {
          targetType: "USER",
          targetIdentifiers: [userId],
          resources: [
            { code: "menu", resourceType: "MENU", actions: ["view"] },
            { code: "docs", resourceType: "DATA", actions: ["read", "write"] },
          ],
        },
      ],
    });
  });

  it("get-my-role-list: the roles that grant now, direct and through groups (default namespace)", async () => {
    const r = await me("GET", "/api/v3/get-my-role-list");
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.deepEqual(r.data.map((x: any) => x.code).sort(), ["member", "writer"]);
    assert.ok(r.data.every((x: any) => x.namespace === "default" && x.status === "ENABLE"));
    assertApiError(
      await me("GET", "/api/v3/get-my-role-list", { namespace: "ghost" }),
      "NAMESPACE_NOT_FOUND",
    );
  });

  it("get-my-group-list", async () => {
    const r = await me("GET", "/api/v3/get-my-group-list");
    assert.deepEqual(
      r.data.map((x: any) => x.code),
      ["team"],
    );
  });

  it("get-my-authorized-resources: by namespace and resource type", async () => {
    const r = await me("GET", "/api/v3/get-my-authorized-resources", { namespace: h().boot.appId });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.deepEqual(
      r.data.list.map((x: any) => [x.resourceCode, x.resourceType, x.actions, x.effect]),
      [
        ["docs", "DATA", ["read", "write"], "ALLOW"],
        ["menu", "MENU", ["view"], "ALLOW"],
      ],
    );
    assert.equal(r.data.list[1].description, "the menu");
    const menus = await me("GET", "/api/v3/get-my-authorized-resources", {
      namespace: h().boot.appId,
      resourceType: "MENU",
    });
    assert.equal(menus.data.totalCount, 1);
    const bad = await me("GET", "/api/v3/get-my-authorized-resources", { resourceType: "ROCKET" });
    assert.equal(bad.statusCode, 400);
  });

  it("get-user-auth-resource-permission-list: every action per resource", async () => {
    const r = await me("POST", "/api/v3/get-user-auth-resource-permission-list", {
      resources: ["docs", "menu", "none"],
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.deepEqual(
      r.data.permissionList.map((x: any) => [x.resource, x.actions.sort()]),
      [
        ["docs", ["read", "write"]],
        ["menu", ["view"]],
        ["none", []],
      ],
    );
  });

  it("get-my-accessible-apps: every application of the pool; departments and tenants: empty", async () => {
    const apps = await me("GET", "/api/v3/get-my-accessible-apps");
    assert.ok(apps.data.some((a: any) => a.appId === h().boot.appId && a.active === true));
    assert.deepEqual((await me("GET", "/api/v3/get-my-department-list")).data, { totalCount: 0, list: [] });
    assert.deepEqual((await me("GET", "/api/v3/get-my-tenant-list")).data, []);
  });

  it("checks: many resources at once; a huge list or a bad body is 400; no token is 401", async () => {
    const r = await me("POST", "/api/v3/check-permission-string-resource", {
      resources: ["docs", "menu"],
      action: "read",
    });
    assert.deepEqual(
      r.data.checkResultList.map((x: any) => x.enabled),
      [true, false],
    );
    const huge = await me("POST", "/api/v3/check-permission-string-resource", {
      resources: Array.from({ length: 10_000 }, (_, i) => `r${i}`),
      action: "read",
    });
    assert.equal(huge.statusCode, 400);
    assert.equal(
      (await me("POST", "/api/v3/check-permission-tree-resource", { resources: ["a"] })).statusCode,
      400,
    );
    const anon = await h().api("POST", "/api/v3/check-permission-string-resource", {
      resources: ["docs"],
      action: "read",
    });
    assertApiError(anon, "TOKEN_MISSING");
  });
});
