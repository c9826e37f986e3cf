import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { newId } from "../../src/lib/ids.js";
import { createFlowTokens, type FlowPurpose } from "../../src/services/codes/flow-tokens.js";
import { newUserRow } from "../../src/services/users/identifiers.js";
import { allOrNothing, StepFailed } from "../../src/storage/repos/all-or-nothing.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";

const clock = new FakeClock();
const DAY_MS = 86_400_000;

async function newUser(h: Harness): Promise<string> {
  const row = newUserRow(h.boot.userPoolId, clock.now(), {});
  await h.ctx.repos.users.insertUser(row);
  return row.id;
}

describeEachDialect(
  "flow tokens: checked before costly work, swept a day after expiry",
  (h) => {
    const service = () => createFlowTokens({ secret: h().ctx.keys.secret, clock });
    const issue = async (tokens: ReturnType<typeof service>, userId: string, ttlSeconds = 60) =>
      tokens.issue(h().ctx.repos, {
        purpose: "delete_account",
        poolId: h().boot.userPoolId,
        userId,
        payload: { reason: "test" },
        ttlSeconds,
      });
    const assertLive = (
      userId: string | undefined,
      token: string,
      over: Partial<{ poolId: string; purpose: FlowPurpose }> = {},
    ) =>
      service().assertLive(h().ctx.repos, {
        purpose: over.purpose ?? "delete_account",
        poolId: over.poolId ?? h().boot.userPoolId,
        userId,
        token,
      });
    const invalid = (e: any) => e.statusCode === 400 && e.apiCode === 2207;
    const rowsOf = (userId: string) =>
      h().ctx.db.kysely.selectFrom("flow_tokens").select("id").where("user_id", "=", userId).execute();

    it("flow token: issue answers the TTL it was given as expiresIn", async () => {
      const user = await newUser(h());
      const { token, expiresIn } = await issue(service(), user, 600);
      assert.equal(expiresIn, 600);
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    });

    it("flow token: a live token passes the liveness check, which spends nothing", async () => {
      const user = await newUser(h());
      const { token } = await issue(service(), user);
      await assertLive(user, token);
      await assertLive(user, token);
      await assertLive(undefined, token);
      const spent = await service().spend(h().ctx.repos, {
        purpose: "delete_account",
        poolId: h().boot.userPoolId,
        userId: user,
        token,
      });
      assert.equal(spent.userId, user);
      await assert.rejects(assertLive(user, token), invalid, "spent");
    });

    it("flow token: the liveness check refuses expired, foreign, unknown and malformed tokens → 400/2207", async () => {
      const owner = await newUser(h());
      const other = await newUser(h());
      const { token } = await issue(service(), owner, 60);
      await assert.rejects(assertLive(other, token), invalid);
      await assert.rejects(assertLive(owner, token, { poolId: newId() }), invalid);
      await assert.rejects(assertLive(owner, token, { purpose: "reset_password" }), invalid);
      await assert.rejects(
        assertLive(owner, `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`),
        invalid,
      );
      await assert.rejects(assertLive(owner, "not a token"), invalid);
      clock.advance(60_001);
      await assert.rejects(assertLive(owner, token), invalid);
    });

    it("flow token: rows a day past expiry are swept on issue; younger ones and live ones stay", async () => {
      const old = await newUser(h());
      const recent = await newUser(h());
      const fresh = await newUser(h());
      await issue(service(), old, 60);
      clock.advance(DAY_MS / 2);
      await issue(service(), recent, 60);
      clock.advance(DAY_MS / 2 + 60_001);
      // a new service has issued nothing yet: its first issue sweeps
      const { token } = await issue(service(), fresh, 60);
      assert.equal((await rowsOf(old)).length, 0, "expired more than a day ago: swept");
      assert.equal((await rowsOf(recent)).length, 1, "expired less than a day ago: kept");
      await assertLive(fresh, token);
    });

    it("flow token: the sweep runs on the first issue and then once every 200, not on every issue", async () => {
      const tokens = service();
      const old = await newUser(h());
      const busy = await newUser(h());
      await issue(tokens, old, 60); // issue 1: sweeps (nothing to sweep yet)
      clock.advance(DAY_MS + 120_000);
      for (let i = 2; i <= 200; i++) await issue(tokens, busy, 60);
      assert.equal((await rowsOf(old)).length, 1, "issues 2 to 200 sweep nothing");
      await issue(tokens, busy, 60); // issue 201
      assert.equal((await rowsOf(old)).length, 0, "issue 201 sweeps");
    });

    it("flow token: issueSteps' batch stores the token (its HMAC only), retiring the older one; live for its TTL to the millisecond; nothing before the batch is kept", async () => {
      const tokens = service();
      const user = await newUser(h());
      const { token: older } = await issue(tokens, user);
      const issued = tokens.issueSteps(h().ctx.repos, {
        purpose: "delete_account",
        poolId: h().boot.userPoolId,
        userId: user,
        payload: { reason: "batch" },
        ttlSeconds: 90,
      });
      assert.equal(issued.expiresIn, 90);
      assert.match(issued.token, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(issued.token, older);
      await assert.rejects(assertLive(user, issued.token), invalid, "not kept before the batch runs");
      await assertLive(user, older);
      const at = clock.now();
      await allOrNothing(h().ctx.db.kysely, issued.steps);
      await assert.rejects(assertLive(user, older), invalid, "retired by the newer one");
      const [row] = await h()
        .ctx.db.kysely.selectFrom("flow_tokens")
        .selectAll()
        .where("user_id", "=", user)
        .where("consumed_at", "is", null)
        .execute();
      assert.deepEqual(
        [row?.token_hash, row?.payload, row?.expires_at, row?.created_at],
        [
          createHmac("sha256", h().ctx.keys.secret).update(`flow-token:${issued.token}`).digest("hex"),
          JSON.stringify({ reason: "batch" }),
          at + 90_000,
          at,
        ],
      );
      clock.advance(89_999);
      await assertLive(user, issued.token);
      clock.advance(1);
      await assert.rejects(assertLive(user, issued.token), invalid, "dead at its TTL");
    });

    it("flow token: peek reads a live token without spending it; its step spends it once; foreign, unknown and expired → 400/2207", async () => {
      const tokens = service();
      const owner = await newUser(h());
      const other = await newUser(h());
      const { token } = await issue(tokens, owner, 60);
      const peek = (
        userId: string,
        t = token,
        over: Partial<{ poolId: string; purpose: FlowPurpose }> = {},
      ) =>
        tokens.peek<{ reason: string }>(h().ctx.repos, {
          purpose: over.purpose ?? "delete_account",
          poolId: over.poolId ?? h().boot.userPoolId,
          userId,
          token: t,
        });
      await assert.rejects(peek(other), invalid);
      await assert.rejects(peek(owner, token, { poolId: newId() }), invalid);
      await assert.rejects(peek(owner, token, { purpose: "reset_password" }), invalid);
      await assert.rejects(peek(owner, "not a token"), invalid);
      const first = await peek(owner);
      const second = await peek(owner);
      assert.deepEqual(
        [first.userId, first.payload, second.payload],
        [owner, { reason: "test" }, { reason: "test" }],
      );
      await allOrNothing(h().ctx.db.kysely, [first.spend]);
      await assert.rejects(peek(owner), invalid, "spent by its step");
      await assert.rejects(allOrNothing(h().ctx.db.kysely, [second.spend]), StepFailed, "spent once");
      const { token: late } = await issue(tokens, owner, 60);
      clock.advance(59_999);
      await peek(owner, late);
      clock.advance(1);
      await assert.rejects(peek(owner, late), invalid, "expired");
    });

    it("flow token: a derived token issued again replaces its earlier row; the spend answers the latest payload, once", async () => {
      // The MFA step's pending authenticator is named by a token derived from the MFA token: asked
      // for twice with one MFA token, the second issue must not meet the first row's unique hash.
      const tokens = service();
      const owner = await newUser(h());
      const derived = createHmac("sha256", "derive").update(newId()).digest("base64url");
      const issueDerived = (reason: string) =>
        tokens.issue(h().ctx.repos, {
          purpose: "delete_account",
          poolId: h().boot.userPoolId,
          userId: owner,
          payload: { reason },
          ttlSeconds: 60,
          token: derived,
        });
      assert.equal((await issueDerived("first")).token, derived);
      assert.equal((await issueDerived("second")).token, derived);
      const spend = () =>
        tokens.spend<{ reason: string }>(h().ctx.repos, {
          purpose: "delete_account",
          poolId: h().boot.userPoolId,
          userId: owner,
          token: derived,
        });
      assert.deepEqual((await spend()).payload, { reason: "second" });
      await assert.rejects(spend(), invalid, "spent once");
    });

    it("flow token: sweepNow (after issueSteps' batch) sweeps on the first call and then once every 200, counting with issue", async () => {
      const old = await newUser(h());
      const live = await newUser(h());
      await issue(service(), old, 60);
      clock.advance(DAY_MS + 120_000);
      const tokens = service();
      await tokens.sweepNow(h().ctx.repos); // call 1: sweeps
      assert.equal((await rowsOf(old)).length, 0, "the first call sweeps");
      await issue(service(), old, 60);
      clock.advance(DAY_MS + 120_000);
      const { token } = await issue(tokens, live, 60); // call 2, an issue
      for (let i = 3; i <= 200; i++) await tokens.sweepNow(h().ctx.repos);
      assert.equal((await rowsOf(old)).length, 1, "calls 2 to 200 sweep nothing");
      await tokens.sweepNow(h().ctx.repos); // call 201
      assert.equal((await rowsOf(old)).length, 0, "call 201 sweeps");
      await assertLive(live, token);
    });
  },
  { clock },
);
