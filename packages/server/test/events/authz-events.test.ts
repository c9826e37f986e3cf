import assert from "node:assert/strict";
import { it } from "node:test";
import { signedInUser } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

/** The events of the default pool written after `since` (an event count), oldest first. */
async function eventsSince(h: Harness, since: number) {
  const all = await h.ctx.repos.events.listEventsByPool(h.boot.userPoolId, 100_000);
  return all
    .slice(since)
    .map((e) => ({ ...e, body: JSON.parse(e.data) as { eventName: string; data: any } }));
}
const count = async (h: Harness) =>
  (await h.ctx.repos.events.listEventsByPool(h.boot.userPoolId, 100_000)).length;

/**
 * Every authorization writer writes its event with the change, in the same transaction
 * (docs/events.md#event-names, docs/authorization.md §Events): asserted on the outbox table.
 */
describeEachDialect("events: roles, groups and permissions", (h) => {
  let userId = "";
  const post = async (path: string, body: unknown) => {
    const r = await mgmt(h(), "POST", path, { body });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    return r;
  };
  /** Runs `write` and answers the events it wrote. */
  const during = async (write: () => Promise<unknown>) => {
    const before = await count(h());
    await write();
    return eventsSince(h(), before);
  };
  const names = (events: { name: string }[]) => events.map((e) => e.name);

  it("setup", async () => {
    userId = (await signedInUser(h(), "events@authz.test")).userId;
  });

  it("namespaces: namespace:created, namespace:updated, namespace:deleted, admin as actor", async () => {
    const created = await during(() =>
      post("/api/v3/create-permission-namespace", { code: "ev", name: "Ev" }),
    );
    assert.deepEqual(names(created), ["namespace:created"]);
    assert.equal(created[0]!.body.data.code, "ev");
    assert.equal(created[0]!.actor_type, "admin");
    const updated = await during(() =>
      post("/api/v3/update-permission-namespace", { code: "ev", name: "Ev 2" }),
    );
    assert.deepEqual(names(updated), ["namespace:updated"]);
    assert.equal(updated[0]!.body.data.name, "Ev 2");
    const deleted = await during(() => post("/api/v3/delete-permission-namespace", { code: "ev" }));
    assert.deepEqual(names(deleted), ["namespace:deleted"]);
    await post("/api/v3/create-permission-namespace", { code: "ev", name: "Ev" });
  });

  it("roles: role:created, role:updated, role:assigned, role:revoked, role:deleted", async () => {
    const created = await during(() => post("/api/v3/create-role", { code: "editor", namespace: "ev" }));
    assert.deepEqual(names(created), ["role:created"]);
    assert.equal(created[0]!.body.data.code, "editor");
    assert.equal(created[0]!.body.data.namespace, "ev");
    const updated = await during(() =>
      post("/api/v3/update-role", { code: "editor", namespace: "ev", name: "Editor" }),
    );
    assert.deepEqual(names(updated), ["role:updated"]);
    assert.equal(updated[0]!.body.data.name, "Editor");
    const targets = [{ targetType: "USER", targetIdentifier: userId }];
    const assigned = await during(() =>
      post("/api/v3/assign-role", { code: "editor", namespace: "ev", targets, endTime: 4_000_000_000_000 }),
    );
    assert.deepEqual(names(assigned), ["role:assigned"]);
    assert.deepEqual(assigned[0]!.body.data.targets, targets);
    assert.equal(assigned[0]!.body.data.endTime, 4_000_000_000_000);
    assert.equal(assigned[0]!.user_id, userId, "an assignment to one user is about that user");
    const revoked = await during(() =>
      post("/api/v3/revoke-role", { code: "editor", namespace: "ev", targets }),
    );
    assert.deepEqual(names(revoked), ["role:revoked"]);
    assert.equal(revoked[0]!.body.data.role.code, "editor");
    await post("/api/v3/create-role", { code: "viewer", namespace: "ev" });
    const deleted = await during(() =>
      post("/api/v3/delete-roles-batch", { codeList: ["editor", "viewer", "absent"], namespace: "ev" }),
    );
    assert.deepEqual(names(deleted).sort(), ["role:deleted", "role:deleted"]);
  });

  it("groups: group:created, group:updated, group:members-added, group:members-removed, group:deleted", async () => {
    const created = await during(() =>
      post("/api/v3/create-group", { code: "team", name: "Team", description: "" }),
    );
    assert.deepEqual(names(created), ["group:created"]);
    const updated = await during(() => post("/api/v3/update-group", { code: "team", name: "Team 2" }));
    assert.deepEqual(names(updated), ["group:updated"]);
    const added = await during(() => post("/api/v3/add-group-members", { code: "team", userIds: [userId] }));
    assert.deepEqual(names(added), ["group:members-added"]);
    assert.deepEqual(added[0]!.body.data.userIds, [userId]);
    assert.equal(added[0]!.body.data.group.code, "team");
    const removed = await during(() =>
      post("/api/v3/remove-group-members", { code: "team", userIds: [userId] }),
    );
    assert.deepEqual(names(removed), ["group:members-removed"]);
    const deleted = await during(() => post("/api/v3/delete-groups-batch", { codeList: ["team"] }));
    assert.deepEqual(names(deleted), ["group:deleted"]);
  });

  it("resources: resource:created, resource:updated, resource:deleted; authorize-resources: permission:add (ALLOW) and permission:revoke (DENY)", async () => {
    const created = await during(() =>
      post("/api/v3/create-resource", { type: "DATA", code: "doc", namespace: "ev" }),
    );
    assert.deepEqual(names(created), ["resource:created"]);
    const updated = await during(() =>
      post("/api/v3/update-resource", { code: "doc", namespace: "ev", description: "docs" }),
    );
    assert.deepEqual(names(updated), ["resource:updated"]);
    const granted = await during(() =>
      post("/api/v3/authorize-resources", {
        namespace: "ev",
        list: [
          {
            targetType: "USER",
            targetIdentifiers: [userId],
            resources: [
              { code: "doc", resourceType: "DATA", actions: ["read"] },
              { code: "doc", resourceType: "DATA", actions: ["delete"], effect: "DENY" },
            ],
          },
        ],
      }),
    );
    assert.deepEqual(names(granted), ["permission:add", "permission:revoke"]);
    assert.deepEqual(granted[0]!.body.data.list[0].resources[0].actions, ["read"]);
    assert.deepEqual(granted[1]!.body.data.list[0].resources[0].actions, ["delete"]);
    const deleted = await during(() => post("/api/v3/delete-resource", { code: "doc", namespace: "ev" }));
    assert.deepEqual(names(deleted), ["resource:deleted"]);
  });

  it("data resources and data policies: resource:*, data-policy:*, permission:add, permission:revoke", async () => {
    const created = await during(() =>
      post("/api/v3/create-string-data-resource", {
        namespaceCode: "ev",
        resourceCode: "motto",
        resourceName: "Motto",
        struct: "hi",
        actions: ["read"],
      }),
    );
    assert.deepEqual(names(created), ["resource:created"]);
    assert.equal(created[0]!.body.data.resourceCode, "motto");
    const updated = await during(() =>
      post("/api/v3/update-data-resource", { namespaceCode: "ev", resourceCode: "motto", resourceName: "M" }),
    );
    assert.deepEqual(names(updated), ["resource:updated"]);
    let policyId = "";
    const policy = await during(async () => {
      policyId = (
        await post("/api/v3/create-data-policy", {
          policyName: "ev-readers",
          statementList: [{ effect: "ALLOW", permissions: ["ev/motto/read"] }],
        })
      ).data.policyId;
    });
    assert.deepEqual(names(policy), ["data-policy:created"]);
    const policyUpdated = await during(() =>
      post("/api/v3/update-data-policy", { policyId, description: "d" }),
    );
    assert.deepEqual(names(policyUpdated), ["data-policy:updated"]);
    const targetList = [{ id: userId, type: "USER" }];
    const authorized = await during(() =>
      post("/api/v3/authorize-data-policies", { policyIds: [policyId], targetList }),
    );
    assert.deepEqual(names(authorized), ["permission:add"]);
    assert.deepEqual(authorized[0]!.body.data, { policyIds: [policyId], targetList });
    const revoked = await during(() =>
      post("/api/v3/revoke-data-policy", { policyId, targetType: "USER", targetIdentifier: userId }),
    );
    assert.deepEqual(names(revoked), ["permission:revoke"]);
    const resourceDeleted = await during(() =>
      post("/api/v3/delete-data-resource", { namespaceCode: "ev", resourceCode: "motto" }),
    );
    assert.deepEqual(names(resourceDeleted), ["resource:deleted"]);
    const policyDeleted = await during(() => post("/api/v3/delete-data-policy", { policyId }));
    assert.deepEqual(names(policyDeleted), ["data-policy:deleted"]);
  });

  it("a refused write (a taken code, an unknown role) writes no event", async () => {
    await post("/api/v3/create-role", { code: "taken", namespace: "ev" });
    const before = await count(h());
    const again = await mgmt(h(), "POST", "/api/v3/create-role", {
      body: { code: "taken", namespace: "ev" },
    });
    assert.equal(again.statusCode, 409);
    const group = await mgmt(h(), "POST", "/api/v3/create-group", {
      body: { code: "g-taken", name: "G", description: "" },
    });
    assert.equal(group.statusCode, 200);
    const groupAgain = await mgmt(h(), "POST", "/api/v3/create-group", {
      body: { code: "g-taken", name: "G", description: "" },
    });
    assert.equal(groupAgain.statusCode, 409);
    const unknown = await mgmt(h(), "POST", "/api/v3/assign-role", {
      body: { code: "nope", namespace: "ev", targets: [{ targetType: "USER", targetIdentifier: userId }] },
    });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(names(await eventsSince(h(), before)), ["group:created"]);
  });

  it("getWebhookEventList names the authorization events and their categories", async () => {
    const r = await mgmt(h(), "GET", "/api/v3/get-webhook-event-list", {});
    const values = r.data.events.map((e: { value: string }) => e.value);
    for (const n of [
      "role:created",
      "role:assigned",
      "group:members-added",
      "permission:add",
      "permission:revoke",
    ])
      assert.ok(values.includes(n), n);
  });
});
