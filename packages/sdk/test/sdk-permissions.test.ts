import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mgmt } from "../../server/test/helpers/management.js";
import { signedInUser } from "./helpers/accounts.js";
import { liveGatehouse } from "./helpers/gatehouse.js";

describe("roles, groups and permission checks against a real Gatehouse", () => {
  const gh = liveGatehouse();

  it("the signed-in user's roles, groups, resources, apps, checks and permission list", async () => {
    const { client, user } = await signedInUser(gh());
    const h = gh().h;
    const ns = h.boot.appId;
    const post = async (path: string, body: unknown) => {
      const r = await mgmt(h, "POST", path, { body });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
    };
    await post("/api/v3/create-permission-namespace", { code: ns, name: "App" });
    await post("/api/v3/create-role", { code: "editor" });
    await post("/api/v3/assign-role", {
      code: "editor",
      targets: [{ targetType: "USER", targetIdentifier: user.userId }],
    });
    await post("/api/v3/create-group", { code: "team", name: "Team", description: "" });
    await post("/api/v3/add-group-members", { code: "team", userIds: [user.userId] });
    await post("/api/v3/authorize-resources", {
      namespace: ns,
      list: [
        {
          targetType: "USER",
          targetIdentifiers: [user.userId],
          resources: [{ code: "docs", resourceType: "DATA", actions: ["read"] }],
        },
      ],
    });
    assert.deepEqual(
      (await client.getRoleList()).data.map((r) => r.code),
      ["editor"],
    );
    assert.deepEqual(
      (await client.getGroupList()).data.map((g) => g.code),
      ["team"],
    );
    assert.equal(
      (await client.getAuthorizedResources({ namespace: ns, resourceType: "DATA" })).data.totalCount,
      1,
    );
    assert.ok((await client.getAccessibleApps()).data.some((a) => a.appId === ns));
    const s = await client.checkPermissionByStringResource({ resources: ["docs", "other"], action: "read" });
    assert.deepEqual(
      s.data.checkResultList.map((x) => x.enabled),
      [true, false],
    );
    const a = await client.checkPermissionByArrayResource({ resources: ["docs"], action: "write" });
    assert.equal(a.data.checkResultList[0]?.enabled, false);
    const t = await client.checkPermissionByTreeResource({ resources: ["docs/a/b"], action: "read" });
    assert.equal(t.data.checkResultList[0]?.enabled, true);
    const p = await client.getUserAuthResourcePermissionList({ resources: ["docs/x"] });
    assert.deepEqual(p.data.permissionList[0]?.actions, ["read"]);
  });
});
