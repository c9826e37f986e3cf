import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { signedInUser } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

/**
 * docs/authorization.md §Examples: one test per row of the table. Every row grants on resources
 * of its own, so the rows do not see each other's grants.
 */
const clock = new FakeClock();

describeEachDialect(
  "authorization: the evaluation table",
  (h) => {
    const post = async (path: string, body: unknown) => {
      const r = await mgmt(h(), "POST", path, { body });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      return r;
    };
    let token = "";
    let userId = "";
    let ns = "";

    const grant = (targetType: string, id: string, code: string, actions: string[], effect = "ALLOW") =>
      post("/api/v3/authorize-resources", {
        namespace: ns,
        list: [
          {
            targetType,
            targetIdentifiers: [id],
            resources: [{ code, resourceType: "DATA", actions, effect }],
          },
        ],
      });
    const roleFor = async (code: string, window: object = {}) => {
      await post("/api/v3/create-role", { code, namespace: ns });
      await post("/api/v3/assign-role", {
        code,
        namespace: ns,
        targets: [{ targetType: "USER", targetIdentifier: userId }],
        ...window,
      });
    };
    const check = async (kind: "string" | "array" | "tree", resource: string, action: string) => {
      const r = await h().api(
        "POST",
        `/api/v3/check-permission-${kind}-resource`,
        { resources: [resource], action },
        { authorization: token },
      );
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.deepEqual(Object.keys(r.data.checkResultList[0]).sort(), [
        "action",
        "enabled",
        "namespaceCode",
        "resource",
      ]);
      assert.equal(r.data.checkResultList[0].namespaceCode, ns);
      return r.data.checkResultList[0].enabled as boolean;
    };

    it("setup: the application's namespace (named by its app id) and a signed-in user", async () => {
      ns = h().boot.appId;
      await post("/api/v3/create-permission-namespace", { code: ns, name: "App" });
      const u = await signedInUser(h(), "eval@authz.test");
      token = u.access_token;
      userId = u.userId;
    });

    it("1. nothing granted: denied", async () => {
      assert.equal(await check("string", "r1", "read"), false);
    });

    it("2. the user's own ALLOW grants that action only", async () => {
      await grant("USER", userId, "r2", ["read"]);
      assert.equal(await check("string", "r2", "read"), true);
      assert.equal(await check("string", "r2", "write"), false);
    });

    it("3. a role's ALLOW and the user's DENY on the same resource: DENY wins", async () => {
      await roleFor("role3");
      await grant("ROLE", "role3", "r3", ["read"]);
      assert.equal(await check("string", "r3", "read"), true);
      await grant("USER", userId, "r3", ["read"], "DENY");
      assert.equal(await check("string", "r3", "read"), false);
    });

    it("4. a group's ALLOW grants its members", async () => {
      await post("/api/v3/create-group", { code: "group4", name: "G4", description: "" });
      await post("/api/v3/add-group-members", { code: "group4", userIds: [userId] });
      await grant("GROUP", "group4", "r4", ["read"]);
      assert.equal(await check("array", "r4", "read"), true);
    });

    it("5. a role given to a group grants the group's members", async () => {
      await post("/api/v3/create-role", { code: "role5", namespace: ns });
      await post("/api/v3/assign-role", {
        code: "role5",
        namespace: ns,
        targets: [{ targetType: "GROUP", targetIdentifier: "group4" }],
      });
      await grant("ROLE", "role5", "r5", ["read"]);
      assert.equal(await check("string", "r5", "read"), true);
    });

    it("6. an expired role assignment grants nothing", async () => {
      await roleFor("role6", { endTime: clock.now() + 60_000 });
      await grant("ROLE", "role6", "r6", ["read"]);
      assert.equal(await check("string", "r6", "read"), true);
      clock.advance(60_000);
      assert.equal(await check("string", "r6", "read"), false);
    });

    it("7. an assignment that has not started grants nothing until it starts", async () => {
      await roleFor("role7", { enableTime: clock.now() + 60_000 });
      await grant("ROLE", "role7", "r7", ["read"]);
      assert.equal(await check("string", "r7", "read"), false);
      clock.advance(60_000);
      assert.equal(await check("string", "r7", "read"), true);
    });

    it("8. a disabled role, or one past its disableTime, grants nothing", async () => {
      await roleFor("role8");
      await grant("ROLE", "role8", "r8", ["read"]);
      assert.equal(await check("string", "r8", "read"), true);
      await post("/api/v3/update-role", { code: "role8", namespace: ns, status: "DISABLE" });
      assert.equal(await check("string", "r8", "read"), false);
      await post("/api/v3/update-role", {
        code: "role8",
        namespace: ns,
        status: "ENABLE",
        disableTime: String(clock.now() + 1000),
      });
      assert.equal(await check("string", "r8", "read"), true);
      clock.advance(1000);
      assert.equal(await check("string", "r8", "read"), false);
    });

    it("9. a tree path grants its subtree, not its parent", async () => {
      await grant("USER", userId, "t9/a", ["read"]);
      assert.equal(await check("tree", "t9/a", "read"), true);
      assert.equal(await check("tree", "t9/a/b/c", "read"), true);
      assert.equal(await check("tree", "t9", "read"), false);
      assert.equal(await check("tree", "t9/ab", "read"), false);
    });

    it("10. a deeper DENY takes a branch out of an allowed tree", async () => {
      await grant("USER", userId, "t10", ["read"]);
      await grant("USER", userId, "t10/secret", ["read"], "DENY");
      assert.equal(await check("tree", "t10/open", "read"), true);
      assert.equal(await check("tree", "t10/secret/x", "read"), false);
    });

    it("11. a deeper ALLOW opens a branch of a denied tree", async () => {
      await grant("USER", userId, "t11", ["read"], "DENY");
      await grant("USER", userId, "t11/public", ["read"]);
      assert.equal(await check("tree", "t11/public/x", "read"), true);
      assert.equal(await check("tree", "t11/other", "read"), false);
    });

    it("12. `*` allows every action", async () => {
      await grant("USER", userId, "r12", ["*"]);
      assert.equal(await check("string", "r12", "delete"), true);
    });

    it("13. string and array checks do not inherit from a parent path", async () => {
      await grant("USER", userId, "t13", ["read"]);
      assert.equal(await check("string", "t13/a", "read"), false);
      assert.equal(await check("tree", "t13/a", "read"), true);
    });

    it("14. grants in another namespace do not count", async () => {
      await post("/api/v3/create-permission-namespace", { code: "elsewhere", name: "Else" });
      await post("/api/v3/authorize-resources", {
        namespace: "elsewhere",
        list: [
          {
            targetType: "USER",
            targetIdentifiers: [userId],
            resources: [{ code: "r14", resourceType: "DATA", actions: ["read"] }],
          },
        ],
      });
      assert.equal(await check("string", "r14", "read"), false);
    });
  },
  { clock },
);
