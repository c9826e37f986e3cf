import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { freshEmail } from "../helpers/codes.js";
import { postgresAvailable } from "../helpers/harness.js";
import { inProcessNodes } from "../helpers/in-process-nodes.js";
import { redisAvailable } from "../helpers/redis.js";
import { waitUntil } from "../helpers/wait.js";

const pgUp = await postgresAvailable();
const redisReachable = await redisAvailable();

/** Two nodes in one process on one database and one Redis: a subscriber on B hears what A did. */
describe("events: with Redis, the live stream reaches subscribers on every node [postgres + redis]", {
  skip: !pgUp || !redisReachable,
}, () => {
  const cluster = inProcessNodes({ redis: true });
  const nodes = cluster.nodes;
  // Only node A fans out: what node B's subscriber gets came through Redis.
  before(() => nodes[0]!.ctx.events.worker.start());

  it("a sign-up on node A reaches the pool's subscriber on node B, once", async () => {
    const heard: string[] = [];
    const unsubscribe = nodes[1]!.ctx.events.stream.subscribe({
      poolId: cluster.boot.userPoolId,
      eventName: "register",
      send: (m) => heard.push(m),
    });
    const signUp = async () =>
      (
        await nodes[0]!.app.inject({
          method: "POST",
          url: "/api/v3/signup",
          headers: { "x-authing-app-id": cluster.boot.appId },
          payload: {
            connection: "PASSWORD",
            passwordPayload: { email: freshEmail("redis"), password: "pw-redis-1" },
          },
        })
      ).json().data.userId as string;
    const first = await signUp();
    assert.ok(await waitUntil(() => heard.length >= 1));
    // Pub/sub keeps the order of one channel: once the second sign-up is heard, a duplicate of the
    // first would have arrived before it.
    const second = await signUp();
    assert.ok(await waitUntil(() => heard.some((m) => JSON.parse(m).data.userId === second)));
    assert.deepEqual(
      heard.map((m) => JSON.parse(m).data.userId),
      [first, second],
    );
    unsubscribe();
  });
});
