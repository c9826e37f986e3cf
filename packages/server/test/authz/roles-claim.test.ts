import assert from "node:assert/strict";
import { it } from "node:test";
import { jwtPayload, signedInUser, signInByPassword } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

// docs/authorization.md §Tokens: the `roles` scope.
describeEachDialect("authorization: the roles claim", (h) => {
  const email = "claims@authz.test";
  const password = "correct horse 1";
  const me = async (token: string) =>
    (
      await h().inject({ method: "GET", url: "/oidc/me", headers: { authorization: `Bearer ${token}` } })
    ).json();

  it("setup: a user holding two active roles (one through a group) and an expired one", async () => {
    const { userId } = await signedInUser(h(), email, password);
    const post = (path: string, body: unknown) => mgmt(h(), "POST", path, { body });
    for (const code of ["admin", "staff", "gone"]) await post("/api/v3/create-role", { code });
    await post("/api/v3/create-group", { code: "crew", name: "Crew", description: "" });
    await post("/api/v3/add-group-members", { code: "crew", userIds: [userId] });
    const user = [{ targetType: "USER", targetIdentifier: userId }];
    await post("/api/v3/assign-role", { code: "admin", targets: user });
    await post("/api/v3/assign-role", { code: "gone", targets: user, endTime: h().ctx.clock.now() - 1 });
    await post("/api/v3/assign-role", {
      code: "staff",
      targets: [{ targetType: "GROUP", targetIdentifier: "crew" }],
    });
  });

  it("with the roles scope: the active role codes in the ID token and at /oidc/me, not in the access token", async () => {
    const r = await signInByPassword(h(), { email, password }, { scope: "openid profile roles" });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    assert.deepEqual(jwtPayload(r.data.id_token).roles.sort(), ["admin", "staff"]);
    assert.equal(jwtPayload(r.data.access_token).roles, undefined);
    assert.deepEqual((await me(r.data.access_token)).roles.sort(), ["admin", "staff"]);
  });

  it("without it: no roles claim anywhere", async () => {
    const r = await signInByPassword(h(), { email, password }, { scope: "openid profile" });
    assert.equal(jwtPayload(r.data.id_token).roles, undefined);
    assert.equal((await me(r.data.access_token)).roles, undefined);
  });
});
