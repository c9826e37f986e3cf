import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import { postgresAvailable } from "../helpers/harness.js";
import { inProcessNodes } from "../helpers/in-process-nodes.js";
import { redisAvailable } from "../helpers/redis.js";
import { waitUntil } from "../helpers/wait.js";

const pgUp = await postgresAvailable();
const redisReachable = await redisAvailable();

/**
 * Two nodes in one process (two contexts and apps on one database and one Redis), each trusting
 * its session cache for a minute: only the broadcast can make node B refuse a token at once.
 */
describe("with Redis, an ended session is refused on every node at once [postgres + redis]", {
  skip: !pgUp || !redisReachable,
}, () => {
  const cluster = inProcessNodes({ redis: true, context: { sessionCacheTtlMs: 60_000 } });
  const nodes = cluster.nodes;

  const api = async (i: number, url: string, payload: object) =>
    (
      await nodes[i]!.app.inject({
        method: "POST",
        url,
        headers: { "x-authing-app-id": cluster.boot.appId },
        payload,
      })
    ).json();
  const me = async (i: number, token: string) =>
    (
      await nodes[i]!.app.inject({
        method: "GET",
        url: "/oidc/me",
        headers: { authorization: `Bearer ${token}` },
      })
    ).statusCode;
  const client = () => ({ client_id: cluster.boot.appId, client_secret: cluster.boot.appSecret });

  async function signedIn(email: string): Promise<string> {
    await api(0, "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { email, password: "broadcast-pw-1" },
    });
    const r = await api(0, "/api/v3/signin", {
      connection: "PASSWORD",
      passwordPayload: { email, password: "broadcast-pw-1" },
      ...client(),
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    return r.data.access_token;
  }

  const refusedOnB = (token: string) =>
    waitUntil(async () => (await me(1, token)) === 401, { timeoutMs: 2000 });

  it("a token revoked on node A stops working on node B long before B's one-minute cache would expire", async () => {
    const token = await signedIn("broadcast-1@example.com");
    assert.equal(await me(1, token), 200); // node B now caches the session as open
    const res = await nodes[0]!.app.inject({
      method: "POST",
      url: "/oidc/token/revocation",
      payload: new URLSearchParams({ token, ...client() }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(res.statusCode, 200);
    assert.ok(await refusedOnB(token), "node B kept accepting the revoked token");
  });

  it("ending all of a user's sessions on node A (a password change, an admin) reaches node B too", async () => {
    const token = await signedIn("broadcast-2@example.com");
    assert.equal(await me(1, token), 200);
    const user = await findUserByEmail(
      nodes[0]!.ctx.repos,
      cluster.boot.userPoolId,
      "broadcast-2@example.com",
    );
    await nodes[0]!.ctx.sessions.endUserSessions(cluster.boot.userPoolId, user!.id);
    assert.ok(await refusedOnB(token));
  });

  it("a code sign-in on node A that reclaims a squatted account ends the squatter's token on node B", async () => {
    const email = "broadcast-3@example.com";
    const token = await signedIn(email);
    assert.equal(await me(1, token), 200);
    const sent = await api(0, "/api/v3/send-email", { channel: "CHANNEL_LOGIN", email });
    assert.equal(sent.statusCode, 200);
    const passCode = nodes[0]!.ctx.outbox.lastCodeFor(email, "CHANNEL_LOGIN");
    const owner = await api(0, "/api/v3/signin", {
      connection: "PASSCODE",
      passCodePayload: { email, passCode },
      ...client(),
    });
    assert.equal(owner.statusCode, 200, JSON.stringify(owner));
    assert.ok(await refusedOnB(token), "node B kept accepting the squatter's token");
  });
});
