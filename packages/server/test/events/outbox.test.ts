import assert from "node:assert/strict";
import { it } from "node:test";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { repositories } from "../../src/storage/repos/index.js";
import { form, signedInUser, signInByPassword, signUpByEmail } from "../helpers/auth.js";
import { freshEmail } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt, signedRequest } from "../helpers/management.js";

/** The events of the default pool written after `since` (an event count), oldest first. */
async function eventsSince(h: Harness, since: number) {
  const all = await h.ctx.repos.events.listEventsByPool(h.boot.userPoolId, 100_000);
  return all
    .slice(since)
    .map((e) => ({ ...e, body: JSON.parse(e.data) as { eventName: string; data: any } }));
}
const count = async (h: Harness) =>
  (await h.ctx.repos.events.listEventsByPool(h.boot.userPoolId, 100_000)).length;

describeEachDialect("events: the outbox", (h) => {
  it("a sign-up writes one `register` event with the user DTO, the user as actor and the request id", async () => {
    const before = await count(h());
    const res = await h().inject({
      method: "POST",
      url: "/api/v3/signup",
      headers: { "x-authing-app-id": h().boot.appId },
      payload: {
        connection: "PASSWORD",
        passwordPayload: { email: freshEmail("outbox"), password: "pw-outbox-1" },
      },
    });
    const up = res.json();
    assert.equal(up.statusCode, 200);
    const events = await eventsSince(h(), before);
    assert.deepEqual(
      events.map((e) => e.name),
      ["register"],
    );
    const e = events[0]!;
    assert.equal(e.body.eventName, "register");
    assert.equal(e.body.data.userId, up.data.userId);
    assert.equal(e.body.data.email, up.data.email);
    assert.equal(e.user_id, up.data.userId);
    assert.equal(e.actor_type, "user");
    assert.equal(e.actor_id, up.data.userId);
    assert.equal(e.request_id, res.headers["x-request-id"]);
    assert.equal(e.data.includes("argon2"), false);
  });

  it("a refused sign-up (email taken) writes no event", async () => {
    const email = freshEmail("taken");
    await signUpByEmail(h(), email, "pw-taken-1");
    const before = await count(h());
    const again = await signUpByEmail(h(), email, "pw-taken-2");
    assert.equal(again.statusCode, 409);
    assert.deepEqual(await eventsSince(h(), before), []);
  });

  it("an event written in a transaction that rolls back is gone with it", async () => {
    const before = await count(h());
    await assert.rejects(
      h()
        .ctx.db.kysely.transaction()
        .execute(async (trx) => {
          await h().ctx.events.emit(repositories(trx), NO_REQUEST, {
            poolId: h().boot.userPoolId,
            name: "user:updated",
            data: { doomed: true },
          });
          throw new Error("the change fails after its event was written");
        }),
      /the change fails/,
    );
    assert.equal(await count(h()), before);
  });

  it("sign-in writes `login`; a wrong password writes `login-failed` (no secret in it)", async () => {
    const email = freshEmail("login");
    await signUpByEmail(h(), email, "pw-login-1");
    const before = await count(h());
    assert.equal((await signInByPassword(h(), { email, password: "pw-login-1" })).statusCode, 200);
    assert.equal((await signInByPassword(h(), { email, password: "pw-login-WRONG" })).statusCode, 403);
    const events = await eventsSince(h(), before);
    assert.deepEqual(
      events.map((e) => e.name),
      ["login", "login-failed"],
    );
    assert.equal(events[1]!.body.data.reason, "wrong_password");
    assert.equal(JSON.stringify(events).includes("pw-login"), false);
  });

  it("a refresh writes `refresh-token`", async () => {
    const u = await signedInUser(h(), freshEmail("refresh"), "pw-refresh-1", "openid offline_access");
    const before = await count(h());
    const r = await form(h(), "/oidc/token", {
      grant_type: "refresh_token",
      refresh_token: u.refresh_token,
      client_id: h().boot.appId,
      client_secret: h().boot.appSecret,
    });
    assert.equal(r.status, 200);
    const events = await eventsSince(h(), before);
    assert.deepEqual(
      events.map((e) => [e.name, e.user_id]),
      [["refresh-token", u.userId]],
    );
    // The application the token was refreshed for, beside the user (GenAuth's event data).
    assert.equal(events[0]!.body.data.appId, h().boot.appId);
  });

  it("management changes write their events with the access key as actor", async () => {
    const before = await count(h());
    const created = await mgmt(h(), "POST", "/api/v3/create-user", { body: { email: freshEmail("adm") } });
    const userId = created.data.userId as string;
    await mgmt(h(), "POST", "/api/v3/update-user", { body: { userId, nickname: "N" } });
    await mgmt(h(), "POST", "/api/v3/update-user", { body: { userId, status: "Suspended" } });
    await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId, status: "Activated", password: "pw-new-123" },
    });
    await mgmt(h(), "POST", "/api/v3/kick-users", { body: { userId, appIds: [h().boot.appId] } });
    await mgmt(h(), "POST", "/api/v3/delete-users-batch", { body: { userIds: [userId] } });
    const app = await mgmt(h(), "POST", "/api/v3/create-application", { body: { appName: "Evented" } });
    const appId = app.data.appId as string;
    await mgmt(h(), "POST", "/api/v3/update-application", { body: { appId, appName: "Evented 2" } });
    await mgmt(h(), "POST", "/api/v3/refresh-application-secret", { body: { appId } });
    await mgmt(h(), "POST", "/api/v3/delete-application", { body: { appId } });
    await mgmt(h(), "POST", "/api/v3/update-security-settings", { body: { allowedOrigins: [] } });
    const events = await eventsSince(h(), before);
    assert.deepEqual(
      events.map((e) => e.name),
      [
        "user:created",
        "user:updated",
        "user:updated",
        "user:blocked",
        "user:updated",
        "user:unblocked",
        "user:password-changed",
        "kick",
        "user:deleted",
        "application:created",
        "application:updated",
        "application:secret-refreshed",
        "application:deleted",
        "user-pool:updated",
      ],
    );
    for (const e of events) {
      assert.equal(e.actor_type, "admin", e.name);
      assert.equal(e.actor_id, h().boot.userPoolId, e.name);
    }
    assert.equal(events.find((e) => e.name === "user:deleted")?.body.data.userId, userId);
    assert.equal(JSON.stringify(events).includes("pw-new-123"), false);
    const secretEvent = events.find((e) => e.name === "application:secret-refreshed");
    assert.equal(secretEvent?.body.data.appSecret, undefined);
  });

  it("every event carries the id of the request that caused it: management API, authorization writes, a user's own change", async () => {
    const sent = async (path: string, body: unknown, token?: string) => {
      const req = token
        ? {
            url: path,
            headers: { "x-authing-app-id": h().boot.appId, authorization: `Bearer ${token}` },
            payload: body as object,
          }
        : signedRequest(h(), "POST", path, { body });
      const res = await h().inject({
        method: "POST",
        url: req.url,
        headers: req.headers,
        payload: req.payload,
      });
      assert.equal(res.json().statusCode, 200, res.body);
      return res.headers["x-request-id"] as string;
    };
    const before = await count(h());
    const created = await sent("/api/v3/create-user", { email: freshEmail("rid") });
    const userId = (await eventsSince(h(), before))[0]!.user_id as string;
    const kicked = await sent("/api/v3/kick-users", { userId, appIds: [h().boot.appId] });
    const namespace = await sent("/api/v3/create-namespace", {
      code: `rid${Date.now()}`,
      name: "Request ids",
    });
    const settings = await sent("/api/v3/update-security-settings", { allowedOrigins: [] });
    const me = await signedInUser(h(), freshEmail("rid-self"), "pw-rid-123");
    const mine = await count(h());
    const profile = await sent("/api/v3/update-profile", { nickname: "Rid" }, me.access_token);
    const events = await eventsSince(h(), before);
    const by = (name: string) => events.find((e) => e.name === name);
    for (const [name, requestId] of [
      ["user:created", created],
      ["kick", kicked],
      ["namespace:created", namespace],
      ["user-pool:updated", settings],
    ] as const) {
      assert.equal(by(name)?.request_id, requestId, name);
      assert.equal(by(name)?.actor_type, "admin", name);
    }
    const own = (await eventsSince(h(), mine)).find((e) => e.name === "user:updated");
    assert.equal(own?.request_id, profile);
    assert.deepEqual([own?.actor_type, own?.actor_id], ["user", me.userId]);
    assert.equal(new Set([created, kicked, namespace, settings, profile]).size, 5);
  });

  it("the CLI's pool secret rotation is the system's `user-pool:secret-refreshed`", async () => {
    const before = await count(h());
    assert.ok(await h().ctx.admin.pools.rotateSecret(h().boot.userPoolId, NO_REQUEST));
    const events = await eventsSince(h(), before);
    assert.deepEqual(
      events.map((e) => [e.name, e.actor_type, e.request_id]),
      [["user-pool:secret-refreshed", "system", null]],
    );
    // The harness signs with the pool secret it booted with: put it back.
    await h().ctx.repos.pools.updatePoolSecret(
      h().boot.userPoolId,
      h().ctx.keys.box.seal("pool-secret", h().boot.userPoolId, h().boot.userPoolSecret),
      Date.now(),
    );
  });
});
