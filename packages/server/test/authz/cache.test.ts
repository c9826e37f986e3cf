import assert from "node:assert/strict";
import { it } from "node:test";
import { buildApp } from "../../src/app.js";
import { createContext } from "../../src/context.js";
import { FakeClock } from "../../src/lib/clock.js";
import { signedInUser } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { redisAvailable } from "../helpers/redis.js";
import { waitUntil } from "../helpers/wait.js";

await redisAvailable();

/**
 * The grants cache (docs/authorization.md §Cache): every writer that can change an answer drops it,
 * at once on its node and through Redis on the others. The first test shows the cache is in use —
 * a write behind the services' back stays unseen until the TTL — so a writer that forgot to drop
 * it fails its test below.
 */
function harnessTools(h: () => Harness) {
  const state = { token: "", userId: "", ns: "" };
  const post = async (path: string, body: unknown) => {
    const r = await mgmt(h(), "POST", path, { body });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    return r;
  };
  const grant = (targetType: string, id: string, code: string, effect = "ALLOW") =>
    post("/api/v3/authorize-resources", {
      namespace: state.ns,
      list: [
        {
          targetType,
          targetIdentifiers: [id],
          resources: [{ code, resourceType: "DATA", actions: ["read"], effect }],
        },
      ],
    });
  const allowed = async (resource: string, api = h().api.bind(h())) => {
    const r = await api(
      "POST",
      "/api/v3/check-permission-string-resource",
      { resources: [resource], action: "read" },
      {
        authorization: state.token,
      },
    );
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    return r.data.checkResultList[0].enabled as boolean;
  };
  const setup = async (email: string) => {
    state.ns = h().boot.appId;
    await post("/api/v3/create-permission-namespace", { code: state.ns, name: "App" });
    const u = await signedInUser(h(), email);
    state.token = u.access_token;
    state.userId = u.userId;
  };
  return { state, post, grant, allowed, setup };
}

const clock = new FakeClock();

describeEachDialect(
  "authorization cache: every writer drops it",
  (h) => {
    const { state, post, grant, allowed, setup } = harnessTools(h);

    it("setup", () => setup("cache@authz.test"));

    it("the cache is in use: a grant written behind the services' back shows only after the TTL", async () => {
      assert.equal(await allowed("c0"), false);
      const ns = await h().ctx.repos.authz.findNamespace(h().boot.userPoolId, state.ns);
      await h().ctx.repos.authz.upsertGrant({
        namespace_id: ns!.id,
        subject_type: "USER",
        subject_id: state.userId,
        resource: "c0",
        effect: "ALLOW",
        resource_type: "DATA",
        actions: '["read"]',
        created_at: clock.now(),
      });
      assert.equal(await allowed("c0"), false, "still the cached answer");
      clock.advance(h().ctx.authz.cache.ttlMs - 1);
      assert.equal(await allowed("c0"), false, "still cached just before the TTL");
      clock.advance(1);
      assert.equal(await allowed("c0"), true, "the entry expired");
    });

    it("authorize-resources (ALLOW, then DENY)", async () => {
      assert.equal(await allowed("c1"), false);
      await grant("USER", state.userId, "c1");
      assert.equal(await allowed("c1"), true);
      await grant("USER", state.userId, "c1", "DENY");
      assert.equal(await allowed("c1"), false);
    });

    it("assign-role, update-role, revoke-role, delete-roles-batch", async () => {
      await post("/api/v3/create-role", { code: "cr", namespace: state.ns });
      await grant("ROLE", "cr", "c2");
      assert.equal(await allowed("c2"), false);
      const target = [{ targetType: "USER", targetIdentifier: state.userId }];
      await post("/api/v3/assign-role", { code: "cr", namespace: state.ns, targets: target });
      assert.equal(await allowed("c2"), true);
      await post("/api/v3/update-role", { code: "cr", namespace: state.ns, status: "DISABLE" });
      assert.equal(await allowed("c2"), false);
      await post("/api/v3/update-role", { code: "cr", namespace: state.ns, status: "ENABLE" });
      assert.equal(await allowed("c2"), true);
      await post("/api/v3/revoke-role", { code: "cr", namespace: state.ns, targets: target });
      assert.equal(await allowed("c2"), false);
      await post("/api/v3/assign-role", { code: "cr", namespace: state.ns, targets: target });
      assert.equal(await allowed("c2"), true);
      await post("/api/v3/delete-roles-batch", { codeList: ["cr"], namespace: state.ns });
      assert.equal(await allowed("c2"), false);
    });

    it("add-group-members, remove-group-members, delete-groups-batch", async () => {
      await post("/api/v3/create-group", { code: "cg", name: "CG", description: "" });
      await grant("GROUP", "cg", "c3");
      assert.equal(await allowed("c3"), false);
      await post("/api/v3/add-group-members", { code: "cg", userIds: [state.userId] });
      assert.equal(await allowed("c3"), true);
      await post("/api/v3/remove-group-members", { code: "cg", userIds: [state.userId] });
      assert.equal(await allowed("c3"), false);
      await post("/api/v3/add-group-members", { code: "cg", userIds: [state.userId] });
      assert.equal(await allowed("c3"), true);
      await post("/api/v3/delete-groups-batch", { codeList: ["cg"] });
      assert.equal(await allowed("c3"), false);
    });

    it("delete-resource", async () => {
      await post("/api/v3/create-resource", { type: "DATA", code: "c4", namespace: state.ns });
      await grant("USER", state.userId, "c4");
      assert.equal(await allowed("c4"), true);
      await post("/api/v3/delete-resource", { code: "c4", namespace: state.ns });
      assert.equal(await allowed("c4"), false);
    });

    it("assign-role-batch, revoke-role-batch, multiple-namespace-delete-roles-batch", async () => {
      await post("/api/v3/create-roles-batch", { list: [{ code: "cb", namespace: state.ns }] });
      await grant("ROLE", "cb", "c7");
      assert.equal(await allowed("c7"), false);
      const body = {
        targets: [{ targetType: "USER", targetIdentifier: state.userId }],
        roles: [{ code: "cb", namespace: state.ns }],
      };
      await post("/api/v3/assign-role-batch", body);
      assert.equal(await allowed("c7"), true);
      await post("/api/v3/revoke-role-batch", body);
      assert.equal(await allowed("c7"), false);
      await post("/api/v3/assign-role-batch", body);
      assert.equal(await allowed("c7"), true);
      await post("/api/v3/multiple-namespace-delete-roles-batch", {
        roleList: [{ code: "cb", namespace: state.ns }],
      });
      assert.equal(await allowed("c7"), false);
    });

    it("delete-resources-batch", async () => {
      await post("/api/v3/create-resources-batch", {
        namespace: state.ns,
        list: [{ type: "DATA", code: "c8" }],
      });
      await grant("USER", state.userId, "c8");
      assert.equal(await allowed("c8"), true);
      await post("/api/v3/delete-resources-batch", { namespace: state.ns, codeList: ["c8"] });
      assert.equal(await allowed("c8"), false);
    });

    it("delete-permission-namespaces-batch, then create-permission-namespaces-batch", async () => {
      await grant("USER", state.userId, "c9");
      assert.equal(await allowed("c9"), true);
      await post("/api/v3/delete-permission-namespaces-batch", { codes: [state.ns] });
      assert.equal(await allowed("c9"), false);
      await post("/api/v3/create-permission-namespaces-batch", { list: [{ code: state.ns, name: "App" }] });
      await grant("USER", state.userId, "c9");
      assert.equal(await allowed("c9"), true);
    });

    it("application access writes drop the pool's cache too (one seam for every writer)", async () => {
      const ns = await h().ctx.repos.authz.findNamespace(h().boot.userPoolId, state.ns);
      await grant("USER", state.userId, "c10");
      assert.equal(await allowed("c10"), true);
      await h().ctx.repos.authz.upsertGrant({
        namespace_id: ns!.id,
        subject_type: "USER",
        subject_id: state.userId,
        resource: "c10",
        effect: "DENY",
        resource_type: "DATA",
        actions: '["read"]',
        created_at: clock.now(),
      });
      assert.equal(await allowed("c10"), true, "cached: the write behind the services' back is unseen");
      await post("/api/v3/update-application-permission-strategy", {
        appId: h().boot.appId,
        permissionStrategy: "ALLOW_ALL",
      });
      assert.equal(await allowed("c10"), false, "the application access write dropped it");
    });

    it("without Redis another node sees a revoke once its TTL has passed (900 ms on PostgreSQL)", async () => {
      const ctx2 = await createContext(h().ctx.config, { clock, logger: h().ctx.logger });
      const node2 = await buildApp(ctx2);
      try {
        const onNode2 = async (method: "GET" | "POST", url: string, body?: unknown, headers = {}) =>
          (
            await node2.inject({
              method,
              url,
              headers: { "x-authing-app-id": h().boot.appId, ...headers },
              payload: body as any,
            })
          ).json();
        await grant("USER", state.userId, "c6");
        assert.equal(await allowed("c6", onNode2), true);
        await grant("USER", state.userId, "c6", "DENY");
        assert.equal(await allowed("c6"), false, "at once on the writing node");
        assert.equal(await allowed("c6", onNode2), true, "node 2 still trusts its entry");
        clock.advance(ctx2.authz.cache.ttlMs);
        assert.equal(await allowed("c6", onNode2), false, "node 2 after its TTL");
        assert.equal(ctx2.authz.cache.ttlMs, h().dialect === "postgres" ? 900 : 60_000);
      } finally {
        await node2.close();
        await ctx2.close();
      }
    });

    it("delete-permission-namespace, then create-permission-namespace", async () => {
      await grant("USER", state.userId, "c5");
      assert.equal(await allowed("c5"), true);
      await post("/api/v3/delete-permission-namespace", { code: state.ns });
      assert.equal(await allowed("c5"), false);
      await post("/api/v3/create-permission-namespace", { code: state.ns, name: "App" });
      await grant("USER", state.userId, "c5");
      assert.equal(await allowed("c5"), true);
    });
  },
  { clock },
);

const frozen = new FakeClock();

describeEachDialect(
  "authorization cache: two nodes",
  (h) => {
    const { state, post, grant, allowed, setup } = harnessTools(h);

    it("a revoked role stops granting at once on its node and within a second on another (Redis broadcast)", async () => {
      await setup("nodes@authz.test");
      const ctx2 = await createContext(h().ctx.config, { clock: frozen, logger: h().ctx.logger });
      const node2 = await buildApp(ctx2);
      try {
        const onNode2 = async (method: "GET" | "POST", url: string, body?: unknown, headers = {}) =>
          (
            await node2.inject({
              method,
              url,
              headers: { "x-authing-app-id": h().boot.appId, ...headers },
              payload: body as any,
            })
          ).json();
        await post("/api/v3/create-role", { code: "nr", namespace: state.ns });
        await grant("ROLE", "nr", "n1");
        const target = [{ targetType: "USER", targetIdentifier: state.userId }];
        await post("/api/v3/assign-role", { code: "nr", namespace: state.ns, targets: target });
        assert.ok(await waitUntil(() => allowed("n1", onNode2), { timeoutMs: 1000 }), "node 2 sees the role");
        await post("/api/v3/revoke-role", { code: "nr", namespace: state.ns, targets: target });
        assert.equal(await allowed("n1"), false, "at once on the revoking node");
        // The clock is frozen: only the broadcast can drop node 2's entry.
        assert.ok(
          await waitUntil(async () => !(await allowed("n1", onNode2)), { timeoutMs: 1000 }),
          "within one second on the other node",
        );
      } finally {
        await node2.close();
        await ctx2.close();
      }
    });
  },
  { clock: frozen, redis: true },
);
