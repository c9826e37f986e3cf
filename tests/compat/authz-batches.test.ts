import assert from "node:assert/strict";
import { before, it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { authClient, describeCompat, newEmail } from "./helpers.js";

/**
 * The batch and "exists" variants of the permission chapters through the unmodified
 * authing-node-sdk@4.0.1 (docs/authorization.md §Batch calls).
 */
describeCompat("sdk: permission batches", (g) => {
  let mc: ManagementClient;
  let userId = "";
  let token = "";
  const ok = (r: { statusCode: number }) => assert.equal(r.statusCode, 200, JSON.stringify(r));
  const check = async (resource: string) => {
    const me = authClient(g(), "client_secret_post", { accessToken: token });
    const r = await me.checkPermissionByStringResource({ resources: [resource], action: "read" });
    ok(r);
    return r.data.checkResultList[0]!.enabled;
  };

  before(async () => {
    mc = new ManagementClient({
      accessKeyId: g().h.boot.userPoolId,
      accessKeySecret: g().h.boot.userPoolSecret,
      host: g().url,
    });
    const email = newEmail("batches");
    const password = "batches-sdk-pw-1";
    const created = await mc.createUser({ email, password, emailVerified: true } as any);
    ok(created);
    userId = created.data.userId;
    token = (await authClient(g()).signInByEmailPassword({ email, password })).data.access_token ?? "";
  });

  it("namespaces: create, get and delete in batches (both families); check-permission-namespace-exists", async () => {
    ok(
      await mc.createPermissionNamespacesBatch({
        list: [
          { code: "pb-a", name: "A" },
          { code: "pb-b", name: "B" },
        ],
      }),
    );
    const got = await mc.getPermissionNamespacesBatch({ codes: ["pb-a", "pb-b", "pb-none"] });
    assert.deepEqual(got.data.map((n) => n.code).sort(), ["pb-a", "pb-b"]);
    assert.equal((await mc.checkPermissionNamespaceExists({ code: "pb-a" })).data.isValid, false);
    assert.equal((await mc.checkPermissionNamespaceExists({ name: "B" })).data.isValid, false);
    assert.equal((await mc.checkPermissionNamespaceExists({ code: "pb-free" })).data.isValid, true);
    const taken = await mc.createPermissionNamespacesBatch({
      list: [
        { code: "pb-c", name: "C" },
        { code: "pb-a", name: "A again" },
      ],
    });
    assert.equal(taken.statusCode, 409, "one taken code refuses the batch");
    assert.equal(
      (await mc.getPermissionNamespacesBatch({ codes: ["pb-c"] })).data.length,
      0,
      "all or nothing",
    );
    ok(await mc.deletePermissionNamespacesBatch({ codes: ["pb-a", "pb-b"] }));
    assert.equal((await mc.getPermissionNamespacesBatch({ codes: ["pb-a"] })).data.length, 0);
    ok(await mc.createNamespacesBatch({ list: [{ code: "pb-old", name: "Old" }] }));
    assert.deepEqual(
      (await mc.getNamespacesBatch({ codeList: ["pb-old"] })).data.map((n) => n.code),
      ["pb-old"],
    );
    ok(await mc.deleteNamespacesBatch({ codeList: ["pb-old"] }));
    assert.equal((await mc.deleteNamespacesBatch({ codeList: ["default"] })).statusCode, 422);
  });

  it("roles: create-roles-batch, assign-role-batch, revoke-role-batch, delete across namespaces; checks follow at once", async () => {
    const ns = g().h.boot.appId;
    ok(await mc.createPermissionNamespace({ code: ns, name: "App" }));
    ok(
      await mc.createRolesBatch({
        list: [
          { code: "rb-1", namespace: ns },
          { code: "rb-2", namespace: ns, name: "Two" },
        ],
      }),
    );
    assert.equal((await mc.getRole({ code: "rb-2", namespace: ns })).data.name, "Two");
    const listed = await mc.listPermissionNamespaceRoles({ code: ns, query: "rb-" });
    ok(listed);
    assert.equal(listed.data.totalCount, 2);
    assert.deepEqual(
      listed.data.list.map((r) => [r.code, r.namespace]),
      [
        ["rb-1", ns],
        ["rb-2", ns],
      ],
    );
    assert.ok(!Number.isNaN(Date.parse(listed.data.list[0]!.updatedAt)));
    ok(
      await mc.authorizeResources({
        namespace: ns,
        list: [
          {
            targetType: "ROLE",
            targetIdentifiers: ["rb-1"],
            resources: [{ code: "rb-doc", resourceType: "DATA", actions: ["read"] }],
          },
        ],
      } as any),
    );
    assert.equal(await check("rb-doc"), false);
    const targets = [{ targetType: "USER", targetIdentifier: userId }];
    const roles = [
      { code: "rb-1", namespace: ns },
      { code: "rb-2", namespace: ns },
    ];
    ok(await mc.assignRoleBatch({ targets, roles } as any));
    assert.deepEqual((await mc.getUserRoles({ userId, namespace: ns })).data.list.map((r) => r.code).sort(), [
      "rb-1",
      "rb-2",
    ]);
    assert.equal(await check("rb-doc"), true, "the assignment drops the grants cache");
    ok(await mc.revokeRoleBatch({ targets, roles: [roles[0]!] } as any));
    assert.equal(await check("rb-doc"), false, "the revocation too");
    assert.equal(
      (await mc.assignRoleBatch({ targets, roles: [{ code: "rb-none", namespace: ns }] } as any)).statusCode,
      404,
    );
    ok(await mc.assignRoleBatch({ targets, roles: [roles[0]!] } as any));
    assert.equal(await check("rb-doc"), true);
    ok(
      await mc.deleteRoles({
        roleList: [
          { code: "rb-1", namespace: ns },
          { code: "rb-2", namespace: ns },
          { code: "rb-none", namespace: "no-such-ns" },
        ],
      }),
    );
    assert.equal((await mc.getRole({ code: "rb-1", namespace: ns })).statusCode, 404);
    assert.equal(await check("rb-doc"), false, "deleting the role drops the grants cache");
  });

  it("groups: create-groups-batch, get-all-groups (with members)", async () => {
    const created = await mc.createGroupsBatch({
      list: [
        { code: "gb-1", name: "G1", description: "" },
        { code: "gb-2", name: "G2", description: "" },
      ],
    } as any);
    ok(created);
    assert.deepEqual(created.data.map((gr) => gr.code).sort(), ["gb-1", "gb-2"]);
    ok(await mc.addGroupMembers({ code: "gb-1", userIds: [userId] }));
    const all = await mc.getAllGroups({ fetchMembers: true });
    ok(all);
    const g1 = all.data.find((gr) => gr.code === "gb-1");
    assert.deepEqual(
      g1?.members.map((m) => m.userId),
      [userId],
    );
    assert.equal(
      (await mc.createGroupsBatch({ list: [{ code: "gb-1", name: "again", description: "" }] } as any))
        .statusCode,
      409,
    );
    const updated = await mc.createOrUpdateGroup({
      code: "gb-2",
      name: "G2 renamed",
      description: "d",
      type: "static",
    });
    ok(updated);
    assert.equal(updated.data.created, false);
    assert.equal(updated.data.data.name, "G2 renamed");
    const made = await mc.createOrUpdateGroup({ code: "gb-3", name: "G3", description: "", type: "static" });
    assert.equal(made.data.created, true);
    assert.equal((await mc.getGroup({ code: "gb-3" })).data.name, "G3");
  });

  it("resources: create-resources-batch, get-resources-batch, delete-resources-batch (drops the grants cache)", async () => {
    const ns = g().h.boot.appId;
    ok(
      await mc.createResourcesBatch({
        namespace: ns,
        list: [
          { code: "res-1", type: "DATA", actions: [{ name: "read", description: "" }] },
          { code: "res-2", type: "API", apiIdentifier: "/api/2" },
        ],
      } as any),
    );
    const got = await mc.getResourcesBatch({ codeList: ["res-1", "res-2", "res-none"], namespace: ns });
    ok(got);
    assert.deepEqual(got.data.map((r) => r.code).sort(), ["res-1", "res-2"]);
    assert.deepEqual((await mc.getResourcesBatch({ codeList: ["res-1"], namespace: ns })).data.length, 1);
    ok(
      await mc.authorizeResources({
        namespace: ns,
        list: [
          {
            targetType: "USER",
            targetIdentifiers: [userId],
            resources: [{ code: "res-1", resourceType: "DATA", actions: ["read"] }],
          },
        ],
      } as any),
    );
    assert.equal(await check("res-1"), true);
    ok(await mc.deleteResourcesBatch({ namespace: ns, codeList: ["res-1", "res-2"] }));
    assert.equal((await mc.getResourcesBatch({ codeList: ["res-1"], namespace: ns })).data.length, 0);
    assert.equal(await check("res-1"), false, "the resource's grants went with it");
  });

  it("data: check-data-resource-exists, check-data-policy-exists, list-simple-data-policies, list-data-policy-targets", async () => {
    const ns = g().h.boot.appId;
    ok(
      await mc.createDataResourceByString({
        namespaceCode: ns,
        resourceCode: "motto",
        resourceName: "Motto",
        struct: "hi",
        actions: ["read"],
      } as any),
    );
    assert.equal(
      (await mc.checkDataResourceExists({ namespaceCode: ns, resourceCode: "motto" })).data.isValid,
      false,
    );
    assert.equal(
      (await mc.checkDataResourceExists({ namespaceCode: ns, resourceName: "Motto" })).data.isValid,
      false,
    );
    assert.equal(
      (await mc.checkDataResourceExists({ namespaceCode: ns, resourceCode: "other" })).data.isValid,
      true,
    );
    assert.equal(
      (await mc.checkDataResourceExists({ namespaceCode: "no-such-ns", resourceCode: "x" })).statusCode,
      404,
    );
    const policy = await mc.createDataPolicy({
      policyName: "pb-readers",
      statementList: [{ effect: "ALLOW", permissions: [`${ns}/motto/read`] }],
    } as any);
    ok(policy);
    const policyId = policy.data.policyId;
    assert.equal((await mc.checkDataPolicyExists({ policyName: "pb-readers" })).data.isValid, false);
    assert.equal((await mc.checkDataPolicyExists({ policyName: "pb-free" })).data.isValid, true);
    const simple = await mc.listSimpleDataPolices({ query: "pb-" });
    ok(simple);
    assert.deepEqual(
      simple.data.list.map((p) => p.policyName),
      ["pb-readers"],
    );
    ok(await mc.createGroup({ code: "pb-team", name: "PB team", description: "" } as any));
    ok(
      await mc.authorizeDataPolicies({
        policyIds: [policyId],
        targetList: [
          { id: userId, type: "USER" },
          { id: "pb-team", type: "GROUP" },
        ],
      } as any),
    );
    const targets = await mc.listDataPolicyTargets({ policyId });
    ok(targets);
    assert.equal(targets.data.totalCount, 2);
    const groupsOnly = await mc.listDataPolicyTargets({ policyId, targetType: ["GROUP"] });
    assert.deepEqual(
      groupsOnly.data.list.map((t) => [t.targetType, t.targetName]),
      [["GROUP", "PB team"]],
    );
    assert.ok(!Number.isNaN(Date.parse(groupsOnly.data.list[0]!.authorizationTime)));
    assert.equal((await mc.listDataPolicyTargets({ policyId: "no-such-policy" })).statusCode, 404);
  });
});
