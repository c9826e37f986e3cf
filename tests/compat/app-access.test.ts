import assert from "node:assert/strict";
import { before, it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { createApp } from "../../packages/server/test/helpers/auth.js";
import { authClient, describeCompat, newEmail } from "./helpers.js";

/**
 * Application access control through the unmodified authing-node-sdk@4.0.1
 * (docs/authorization.md §Application access): strategies, ALLOW / DENY rules for users, roles and
 * groups, what a user may use, and a refused sign-in.
 */
describeCompat("sdk: application access control", (g) => {
  let mc: ManagementClient;
  let userId = "";
  let email = "";
  const password = "app-access-pw-1";
  let other: { appId: string; appSecret: string };
  const ok = (r: { statusCode: number }) => assert.equal(r.statusCode, 200, JSON.stringify(r));
  const signIn = () =>
    authClient(g(), "client_secret_post", other).signInByEmailPassword({ email, password });
  const myApps = async () => {
    const login = await authClient(g()).signInByEmailPassword({ email, password });
    ok(login);
    const me = authClient(g(), "client_secret_post", { accessToken: login.data.access_token });
    const r = await me.getAccessibleApps();
    ok(r);
    return r.data.map((a) => a.appId).sort();
  };
  const accessible = async () => {
    const r = await mc.getUserAccessibleApps({ userId });
    ok(r);
    return r.data.map((a) => a.appId).sort();
  };

  before(async () => {
    mc = new ManagementClient({
      accessKeyId: g().h.boot.userPoolId,
      accessKeySecret: g().h.boot.userPoolSecret,
      host: g().url,
    });
    email = newEmail("app-access");
    const created = await mc.createUser({ email, password, emailVerified: true } as any);
    ok(created);
    userId = created.data.userId;
    other = await createApp(g().h, "client_secret_post");
  });

  it("by default every application of the pool is open to every user", async () => {
    const strategy = await mc.getApplicationPermissionStrategy({ appId: other.appId });
    ok(strategy);
    assert.equal(strategy.data.permissionStrategy, "ALLOW_ALL");
    const all = [g().h.boot.appId, other.appId].sort();
    assert.deepEqual(await accessible(), all);
    assert.deepEqual(await myApps(), all);
    const r = await mc.getUserAccessibleApps({ userId });
    assert.equal(r.data.find((a) => a.appId === other.appId)?.appDefaultLoginStrategy, "ALLOW_ALL");
    assert.deepEqual((await mc.getUserAuthorizedApps({ userId })).data, []);
    ok(await signIn());
  });

  it("DENY_ALL: the application is closed to a user no rule allows; the sign-in is refused", async () => {
    ok(
      await mc.updateApplicationPermissionStrategy({
        appId: other.appId,
        permissionStrategy: "DENY_ALL" as any,
      }),
    );
    assert.equal(
      (await mc.getApplicationPermissionStrategy({ appId: other.appId })).data.permissionStrategy,
      "DENY_ALL",
    );
    assert.deepEqual(await accessible(), [g().h.boot.appId]);
    assert.deepEqual(await myApps(), [g().h.boot.appId]);
    const refused = await signIn();
    assert.equal(refused.statusCode, 403, JSON.stringify(refused));
    assert.match(refused.message, /application/i);
  });

  it("an ALLOW rule for the user's role opens it; for the user's group too; revoking closes it again", async () => {
    ok(await mc.createRole({ code: "app-users", namespace: "default" }));
    ok(
      await mc.assignRole({
        code: "app-users",
        namespace: "default",
        targets: [{ targetType: "USER", targetIdentifier: userId }],
      } as any),
    );
    ok(
      await mc.authorizeApplicationAccess({
        appId: other.appId,
        list: [
          {
            targetType: "ROLE",
            namespaceCode: "default",
            targetIdentifier: ["app-users", "no-such-role"],
            effect: "ALLOW",
          },
        ],
      } as any),
    );
    assert.deepEqual(await accessible(), [g().h.boot.appId, other.appId].sort());
    assert.deepEqual(
      (await mc.getUserAuthorizedApps({ userId })).data.map((a) => a.appId),
      [other.appId],
    );
    ok(await signIn());
    ok(
      await mc.revokeApplicationAccess({
        appId: other.appId,
        list: [{ targetType: "ROLE", namespaceCode: "default", targetIdentifier: ["app-users"] }],
      } as any),
    );
    assert.equal((await signIn()).statusCode, 403, "closed again at once");

    ok(await mc.createGroup({ code: "app-team", name: "Team", description: "" } as any));
    ok(await mc.addGroupMembers({ code: "app-team", userIds: [userId] }));
    ok(
      await mc.authorizeApplicationAccess({
        appId: other.appId,
        list: [{ targetType: "GROUP", targetIdentifier: ["app-team"], effect: "ALLOW" }],
      } as any),
    );
    ok(await signIn());
  });

  it("a DENY rule for the user wins over an ALLOW for their group, and over ALLOW_ALL", async () => {
    ok(
      await mc.authorizeApplicationAccess({
        appId: other.appId,
        list: [{ targetType: "USER", targetIdentifier: [userId], effect: "DENY" }],
      } as any),
    );
    assert.equal((await signIn()).statusCode, 403);
    ok(
      await mc.updateApplicationPermissionStrategy({
        appId: other.appId,
        permissionStrategy: "ALLOW_ALL" as any,
      }),
    );
    assert.equal((await signIn()).statusCode, 403);
    assert.deepEqual(await accessible(), [g().h.boot.appId]);
    ok(
      await mc.revokeApplicationAccess({
        appId: other.appId,
        list: [{ targetType: "USER", targetIdentifier: [userId] }],
      } as any),
    );
    ok(await signIn());
  });

  it("hostile input: an ORG target, an unknown application, a bad strategy answer clear 4xx", async () => {
    const org = await mc.authorizeApplicationAccess({
      appId: other.appId,
      list: [{ targetType: "ORG", targetIdentifier: ["o1"], effect: "ALLOW" }],
    } as any);
    assert.equal(org.statusCode, 400);
    const unknown = await mc.getApplicationPermissionStrategy({ appId: "no-such-app" });
    assert.equal(unknown.statusCode, 404);
    const bad = await mc.updateApplicationPermissionStrategy({
      appId: other.appId,
      permissionStrategy: "SOMETIMES" as any,
    });
    assert.equal(bad.statusCode, 400);
    assert.equal((await mc.getUserAccessibleApps({ userId: "no-such-user" })).statusCode, 404);
  });
});
