import assert from "node:assert/strict";
import { before, it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { authClient, describeCompat, newEmail } from "./helpers.js";

/**
 * Roles, groups and permissions through the unmodified authing-node-sdk@4.0.1: every
 * ManagementClient and AuthenticationClient method Gatehouse serves for them
 * (docs/authorization.md).
 */
describeCompat("sdk: roles, groups and permissions", (g) => {
  let mc: ManagementClient;
  let me: ReturnType<typeof authClient>;
  let userId = "";
  let ns = "";
  const ok = (r: { statusCode: number }) => assert.equal(r.statusCode, 200, JSON.stringify(r));

  before(async () => {
    mc = new ManagementClient({
      accessKeyId: g().h.boot.userPoolId,
      accessKeySecret: g().h.boot.userPoolSecret,
      host: g().url,
    });
    const email = newEmail("authz");
    const password = "authz-sdk-pw-1";
    const created = await mc.createUser({ email, password, emailVerified: true } as any);
    ok(created);
    userId = created.data.userId;
    const login = await authClient(g()).signInByEmailPassword({ email, password });
    ok(login);
    me = authClient(g(), "client_secret_post", { accessToken: login.data.access_token });
    ns = g().h.boot.appId;
  });

  it("permission namespaces and the older namespace family", async () => {
    ok(await mc.createPermissionNamespace({ code: ns, name: "App" }));
    ok(await mc.createPermissionNamespace({ code: "tmp-ns", name: "Tmp" }));
    assert.equal((await mc.getPermissionNamespace({ code: "tmp-ns" })).data.name, "Tmp");
    assert.ok(
      (await mc.listPermissionNamespaces({ query: "tmp" })).data.list.some((n) => n.code === "tmp-ns"),
    );
    assert.equal((await mc.updatePermissionNamespace({ code: "tmp-ns", name: "Tmp 2" })).data.name, "Tmp 2");
    ok(await mc.deletePermissionNamespace({ code: "tmp-ns" }));
    ok(await mc.createNamespace({ code: "old-ns", name: "Old" }));
    assert.equal((await mc.getNamespace({ code: "old-ns" })).data.code, "old-ns");
    assert.ok((await mc.listNamespaces({ keywords: "old" })).data.list.some((n) => n.code === "old-ns"));
    assert.equal((await mc.updateNamespace({ code: "old-ns", newCode: "older-ns" })).data.code, "older-ns");
    ok(await mc.deleteNamespace({ code: "older-ns" }));
    assert.equal((await mc.getNamespace({ code: "older-ns" })).statusCode, 404);
  });

  it("roles: create, list, get, update, assign (with expiry), members, user roles, hasAnyRole, revoke, delete", async () => {
    assert.equal((await mc.createRole({ code: "editor", name: "Editor", namespace: ns })).data.namespace, ns);
    ok(await mc.createRole({ code: "temp", namespace: ns, disableTime: String(Date.now() + 3_600_000) }));
    assert.equal((await mc.listRoles({ namespace: ns })).data.totalCount, 2);
    assert.equal((await mc.getRole({ code: "temp", namespace: ns })).data.status, "ENABLE");
    ok(await mc.updateRole({ code: "temp", newCode: "temporary", name: "Temporary", namespace: ns }));
    ok(
      await mc.assignRole({
        code: "editor",
        namespace: ns,
        targets: [{ targetType: "USER" as any, targetIdentifier: userId }],
        endTime: Date.now() + 3_600_000,
      }),
    );
    const members = await mc.listRoleMembers({ code: "editor", namespace: ns });
    assert.deepEqual(
      members.data.list.map((u) => u.userId),
      [userId],
    );
    const roles = await mc.getUserRoles({ userId, namespace: ns });
    assert.deepEqual(
      roles.data.list.map((r) => r.code),
      ["editor"],
    );
    assert.ok(roles.data.list[0]!.disableTime! > Date.now());
    assert.equal(
      (await mc.hasAnyRole({ userId, roles: [{ code: "editor", namespace: ns }] })).data.hasAnyRole,
      true,
    );
    ok(
      await mc.revokeRole({
        code: "editor",
        namespace: ns,
        targets: [{ targetType: "USER" as any, targetIdentifier: userId }],
      }),
    );
    assert.equal(
      (await mc.hasAnyRole({ userId, roles: [{ code: "editor", namespace: ns }] })).data.hasAnyRole,
      false,
    );
    ok(await mc.deleteRolesBatch({ codeList: ["temporary"], namespace: ns }));
    assert.equal((await mc.getRole({ code: "temporary", namespace: ns })).statusCode, 404);
  });

  it("groups: create, list, get, update, members, user groups, delete", async () => {
    ok(await mc.createGroup({ code: "team", name: "Team", description: "", type: "static" }));
    ok(await mc.createGroup({ code: "gone", name: "Gone", description: "", type: "static" }));
    assert.equal((await mc.listGroups({ keywords: "tea" })).data.totalCount, 1);
    assert.equal((await mc.getGroup({ code: "team" })).data.name, "Team");
    assert.equal(
      (await mc.updateGroup({ code: "team", description: "the team", name: "The Team" })).data.name,
      "The Team",
    );
    ok(await mc.addGroupMembers({ code: "team", userIds: [userId] }));
    ok(await mc.addGroupMembers({ code: "gone", userIds: [userId] }));
    ok(await mc.removeGroupMembers({ code: "gone", userIds: [userId] }));
    assert.deepEqual(
      (await mc.listGroupMembers({ code: "team" })).data.list.map((u) => u.userId),
      [userId],
    );
    assert.deepEqual(
      (await mc.getUserGroups({ userId })).data.list.map((x) => x.code),
      ["team"],
    );
    ok(await mc.deleteGroupsBatch({ codeList: ["gone"] }));
    assert.equal((await mc.getGroup({ code: "gone" })).statusCode, 404);
  });

  it("resources: create, get, list, update, authorize to user, role and group, authorized resources, delete", async () => {
    ok(
      await mc.createResource({
        type: "MENU" as any,
        code: "menu",
        namespace: ns,
        actions: [{ name: "view", description: "" }],
      }),
    );
    ok(await mc.createResource({ type: "API" as any, code: "gone", namespace: ns }));
    assert.equal((await mc.getResource({ code: "menu", namespace: ns })).data.type, "MENU");
    assert.equal((await mc.listResources({ namespace: ns, type: "MENU" })).data.totalCount, 1);
    assert.equal((await mc.updateResource({ code: "menu", namespace: ns, name: "Menu" })).data.name, "Menu");
    ok(await mc.deleteResource({ code: "gone", namespace: ns }));
    ok(await mc.createRole({ code: "viewer", namespace: ns }));
    ok(
      await mc.assignRole({
        code: "viewer",
        namespace: ns,
        targets: [{ targetType: "GROUP" as any, targetIdentifier: "team" }],
      }),
    );
    ok(
      await mc.authorizeResources({
        namespace: ns,
        list: [
          {
            targetType: "ROLE" as any,
            targetIdentifiers: ["viewer"],
            resources: [{ code: "menu", resourceType: "MENU" as any, actions: ["view"] }],
          },
          {
            targetType: "GROUP" as any,
            targetIdentifiers: ["team"],
            resources: [{ code: "docs/public", resourceType: "DATA" as any, actions: ["read"] }],
          },
          {
            targetType: "USER" as any,
            targetIdentifiers: [userId],
            resources: [{ code: "api", resourceType: "API" as any, actions: ["call"] }],
          },
        ],
      }),
    );
    assert.deepEqual(
      (await mc.getRoleAuthorizedResources({ code: "viewer", namespace: ns })).data.list.map(
        (r) => r.resourceCode,
      ),
      ["menu"],
    );
    assert.deepEqual(
      (await mc.getGroupAuthorizedResources({ code: "team", namespace: ns })).data.map((r) => r.resourceCode),
      ["docs/public"],
    );
    const mine = await mc.getUserAuthorizedResources({ userId, namespace: ns });
    assert.deepEqual(mine.data.list.map((r) => r.resourceCode).sort(), ["api", "docs/public", "menu"]);
  });

  it("the user's side: roles, groups, resources, apps, departments, tenants, checks, permission list", async () => {
    assert.deepEqual(
      (await me.getRoleList({ namespace: ns })).data.map((r) => r.code),
      ["viewer"],
    );
    assert.deepEqual(
      (await me.getGroupList()).data.map((x) => x.code),
      ["team"],
    );
    assert.equal(
      (await me.getAuthorizedResources({ namespace: ns, resourceType: "MENU" })).data.totalCount,
      1,
    );
    assert.ok((await me.getAccessibleApps()).data.some((a) => a.appId === ns));
    assert.equal((await me.getDepartmentList({})).data.totalCount, 0);
    assert.deepEqual((await me.getTenantList()).data, []);
    const s = await me.checkPermissionByStringResource({ resources: ["menu", "api"], action: "view" });
    assert.deepEqual(
      s.data.checkResultList.map((x) => [x.namespaceCode, x.resource, x.enabled]),
      [
        [ns, "menu", true],
        [ns, "api", false],
      ],
    );
    const a = await me.checkPermissionByArrayResource({ resources: ["api"], action: "call" });
    assert.equal(a.data.checkResultList[0]!.enabled, true);
    const t = await me.checkPermissionByTreeResource({
      resources: ["docs/public/a/b", "docs/private"],
      action: "read",
    });
    assert.deepEqual(
      t.data.checkResultList.map((x) => x.enabled),
      [true, false],
    );
    const p = await me.getUserAuthResourcePermissionList({ resources: ["menu", "docs/public/x"] });
    assert.deepEqual(
      p.data.permissionList.map((x) => x.actions),
      [["view"], ["read"]],
    );
  });

  it("data resources and data policies; the user's data resource list and structure", async () => {
    ok(
      await mc.createDataResourceByString({
        namespaceCode: ns,
        resourceCode: "motto",
        resourceName: "Motto",
        struct: "hi",
        actions: ["read"],
      }),
    );
    ok(
      await mc.createDataResourceByArray({
        namespaceCode: ns,
        resourceCode: "tags",
        resourceName: "Tags",
        struct: ["a"],
        actions: ["read"],
      }),
    );
    ok(
      await mc.createDataResourceByTree({
        namespaceCode: ns,
        resourceCode: "org",
        resourceName: "Org",
        struct: [{ code: "hq", name: "HQ", children: [{ code: "it", name: "IT" }] }],
        actions: ["read"],
      }),
    );
    assert.equal((await mc.getDataResource({ namespaceCode: ns, resourceCode: "org" })).data.type, "TREE");
    assert.equal((await mc.listDataResources({ namespaceCodes: [ns] })).data.totalCount, 3);
    ok(await mc.updateDataResource({ namespaceCode: ns, resourceCode: "tags", struct: ["a", "b"] }));
    const policy = await mc.createDataPolicy({
      policyName: "readers",
      statementList: [
        { effect: "ALLOW" as any, permissions: [`${ns}/motto/read`, `${ns}/tags/read`, `${ns}/org/hq/read`] },
      ],
    });
    ok(policy);
    const policyId = policy.data.policyId;
    assert.equal((await mc.getDataPolicy({ policyId })).data.policyName, "readers");
    assert.equal((await mc.listDataPolices({ query: "read" })).data.totalCount, 1);
    ok(await mc.updateDataPolicy({ policyId, description: "readers" }));
    ok(
      await mc.authorizeDataPolicies({
        policyIds: [policyId],
        targetList: [{ id: userId, type: "USER" as any }],
      }),
    );
    assert.equal(
      (await me.checkPermissionByStringResource({ resources: ["motto"], action: "read" })).data
        .checkResultList[0]!.enabled,
      true,
    );
    assert.equal(
      (await me.checkPermissionByTreeResource({ resources: ["org/hq/it"], action: "read" })).data
        .checkResultList[0]!.enabled,
      true,
    );
    const list = await me.getUserAuthorizedResourcesList();
    assert.deepEqual(list.data.userPermissionList[0]!.resourceList!.map((r) => r.resourceCode).sort(), [
      "motto",
      "org",
      "tags",
    ]);
    const struct = await me.getUserAuthResourceStruct({ resource: "tags" });
    assert.deepEqual(struct.data.arrResourceAuthAction, { values: ["a", "b"], actions: ["read"] });
    ok(await mc.revokeDataPolicy({ policyId, targetType: "USER" as any, targetIdentifier: userId }));
    assert.equal(
      (await me.checkPermissionByStringResource({ resources: ["motto"], action: "read" })).data
        .checkResultList[0]!.enabled,
      false,
    );
    ok(await mc.deleteDataPolicy({ policyId }));
    ok(await mc.deleteDataResource({ namespaceCode: ns, resourceCode: "motto" }));
  });
});
