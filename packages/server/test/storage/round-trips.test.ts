import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { newId } from "../../src/lib/ids.js";
import { type WindowWrite, windowWriter } from "../../src/services/events/delivery.js";
import { lookGapMs } from "../../src/services/events/index.js";
import { NO_REQUEST } from "../../src/services/events/scope.js";
import { form } from "../helpers/auth.js";
import { createHarness, type Harness, postgresAvailable } from "../helpers/harness.js";
import { enableFactors, enrolOtp, totpAt } from "../helpers/mfa.js";
import { as, newPhone, register, sendSms } from "../helpers/profile.js";
import { startWebhookReceiver } from "../helpers/receivers.js";

/**
 * Statements each hot path sends to PostgreSQL, `begin` and `commit` included
 * (docs/performance.md, "Round trips"). One request's count depends on the code, not on the
 * machine, so each path's count is pinned: a change that adds a round trip fails here.
 *
 * Steady state, as under load: the caller's token and session already checked once, the
 * application, pool and user rows in their 900 ms caches (read just before). A machine slow
 * enough to let a cache expire inside the measured request adds a read, so each path is
 * measured three times and the least count is the path's.
 */
const pgUp = await postgresAvailable();

describe("round trips to PostgreSQL per request", { skip: pgUp ? false : "PostgreSQL unreachable" }, () => {
  let current: Awaited<ReturnType<typeof createHarness>> | undefined;
  const h = (): Harness => {
    if (!current) throw new Error("harness not ready");
    return current.harness;
  };
  before(async () => {
    current = await createHarness("postgres", { config: { metrics: { mode: "public" } } });
  });
  after(() => current?.close());

  /** Two receivers, each behind a webhook of the pool subscribed to `name`; close() removes both. */
  async function twoWebhooks(name: string) {
    const { webhooks } = h().ctx.events;
    const poolId = h().boot.userPoolId;
    const receivers = [await startWebhookReceiver(), await startWebhookReceiver()];
    const hookIds: string[] = [];
    for (const r of receivers) {
      const hook = await webhooks.create(poolId, {
        name,
        url: r.url,
        contentType: "application/json",
        events: [name],
      });
      hookIds.push(hook.webhookId);
    }
    return {
      receivers,
      close: async () => {
        await webhooks.remove(poolId, hookIds);
        for (const r of receivers) await r.close();
      },
    };
  }

  /** Statements sent while `act` runs (after `arrange`), the least of three tries. */
  async function roundTripsOf<T>(
    arrange: () => Promise<T>,
    act: (arranged: T) => Promise<{ ok: boolean; body: unknown }>,
  ): Promise<number> {
    const counter = h().ctx.db.roundTrips;
    assert.ok(counter, "PostgreSQL counts its round trips");
    let least = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3; attempt++) {
      const arranged = await arrange();
      // The application and pool rows into their cache, as every request under load finds them.
      await h().ctx.repos.applications.findApplicationById(h().boot.appId);
      await h().ctx.repos.pools.findPoolById(h().boot.userPoolId);
      const userId = (arranged as { userId?: string }).userId;
      if (userId) await h().ctx.repos.users.findUserById(h().boot.userPoolId, userId);
      await h().ctx.courier.idle();
      const before = counter.count;
      const r = await act(arranged);
      await h().ctx.courier.idle();
      assert.ok(r.ok, JSON.stringify(r.body));
      least = Math.min(least, counter.count - before);
    }
    return least;
  }
  const envelope = (body: any) => ({ ok: body.statusCode === 200, body });

  /** A signed-in phone user whose token has been checked once (as every token under load has). */
  async function phoneUser() {
    const u = await register(h(), { phone: true });
    await as(h(), u.token)("GET", "/api/v3/get-profile");
    return u;
  }

  async function verifiedPhoneChange() {
    const u = await phoneUser();
    const next = newPhone();
    const oldPhonePassCode = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
    const newPhonePassCode = await sendSms(h(), next, "CHANNEL_BIND_PHONE", u.token);
    return {
      userId: u.userId,
      token: u.token,
      payload: { oldPhoneNumber: u.phone, oldPhonePassCode, newPhoneNumber: next, newPhonePassCode },
    };
  }
  const verifyUpdatePhone = async (a: Awaited<ReturnType<typeof verifiedPhoneChange>>) =>
    envelope(
      await as(h(), a.token)("POST", "/api/v3/verify-update-phone-request", {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: a.payload,
      }),
    );

  it("round trips: verify-update-phone-request sends 2 statements (the code reservation, the batch)", async () => {
    assert.equal(await roundTripsOf(verifiedPhoneChange, verifyUpdatePhone), 2);
  });

  it("round trips: update-phone sends 2 statements (the token, the batch)", async () => {
    const trips = await roundTripsOf(
      async () => {
        const a = await verifiedPhoneChange();
        const r = await verifyUpdatePhone(a);
        assert.ok(r.ok, JSON.stringify(r.body));
        return { token: a.token, updatePhoneToken: (r.body as any).data.updatePhoneToken as string };
      },
      async (a) =>
        envelope(
          await as(h(), a.token)("POST", "/api/v3/update-phone", { updatePhoneToken: a.updatePhoneToken }),
        ),
    );
    assert.equal(trips, 2);
  });

  const passwordUser = () => register(h(), { email: true });
  const signIn = (u: { email?: string; password?: string }, scope?: string) =>
    h().api("POST", "/api/v3/signin", {
      connection: "PASSWORD",
      passwordPayload: { email: u.email, password: u.password },
      ...(scope ? { options: { scope } } : {}),
      client_id: h().boot.appId,
      client_secret: h().boot.appSecret,
    });

  it("round trips: password sign-in sends 3 statements (the user, both lockout counters, the login batch)", async () => {
    assert.equal(await roundTripsOf(passwordUser, async (u) => envelope(await signIn(u))), 3);
  });

  it("round trips: refresh sends 2 statements (the token with its session, the batch; the user row is cached)", async () => {
    const refresh = async (token: string) => {
      const r = await form(h(), "/oidc/token", {
        grant_type: "refresh_token",
        refresh_token: token,
        client_id: h().boot.appId,
        client_secret: h().boot.appSecret,
      });
      return { ok: r.status === 200 && typeof r.body.refresh_token === "string", body: r.body };
    };
    const trips = await roundTripsOf(
      async () => {
        const u = await passwordUser();
        const s = await signIn(u, "openid profile offline_access");
        // The second refresh of a session is the steady state: the first may extend the session.
        const first = await refresh(s.data.refresh_token);
        assert.ok(first.ok, JSON.stringify(first.body));
        return { userId: u.userId, token: (first.body as any).refresh_token as string };
      },
      (a) => refresh(a.token),
    );
    assert.equal(trips, 2);
  });

  it("round trips: send-sms sends 2 statements (the limits, the code)", async () => {
    const trips = await roundTripsOf(
      async () => newPhone(),
      async (phone) =>
        envelope(await h().api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone })),
    );
    assert.equal(trips, 2);
  });

  it("round trips: get-profile sends none (session, application, pool and user rows cached)", async () => {
    const trips = await roundTripsOf(phoneUser, async (u) =>
      envelope(await as(h(), u.token)("GET", "/api/v3/get-profile")),
    );
    assert.equal(trips, 0);
  });

  it("round trips: mfa-totp-verify with a right code sends 2 statements (the factor with the attempt counter, the batch)", async () => {
    await enableFactors(h(), ["OTP"]);
    const trips = await roundTripsOf(
      async () => {
        const u = await phoneUser();
        const { uri } = await enrolOtp(h(), u.token);
        // The enrolment spent this time step: the next one's code (one step of drift is accepted).
        return { ...u, totp: totpAt(uri, h().ctx.clock.now() + 30_000) };
      },
      async (u) => {
        const r = await as(h(), u.token)("POST", "/api/v3/mfa-totp-verify", { totp: u.totp });
        return { ok: r.statusCode === 200 && r.data?.verified === true, body: r };
      },
    );
    assert.equal(trips, 2);
  });

  it("round trips: the event worker fans one event out in 2 statements and an empty look costs 2", async () => {
    const counter = h().ctx.db.roundTrips;
    assert.ok(counter);
    const { worker, emit } = h().ctx.events;
    let least = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3; attempt++) {
      await worker.drain();
      await worker.stop();
      await emit(h().ctx.repos, NO_REQUEST, {
        poolId: h().boot.userPoolId,
        name: "round-trips-probe",
        data: {},
      });
      // The emit's own nudges land while the worker is stopped.
      await new Promise((r) => setTimeout(r, 60));
      const before = counter.count;
      // start() looks at once: the fan-out (claim and mark the event, write its deliveries: one
      // statement) and the claim of due deliveries (one), and not again; drain() adds a look at
      // an empty outbox (one) and due deliveries (one).
      worker.start();
      await worker.drain();
      least = Math.min(least, counter.count - before);
    }
    assert.equal(least, 4);
  });

  it("round trips: a batch of 8 events to two webhooks costs no more statements than one event (at most 12)", async () => {
    const counter = h().ctx.db.roundTrips;
    assert.ok(counter);
    const { worker, emit } = h().ctx.events;
    const poolId = h().boot.userPoolId;
    const name = "round-trips-batch";
    const { receivers, close } = await twoWebhooks(name);
    try {
      /** Statements from the worker's start to every delivery written, the least of three tries. */
      const statementsFor = async (n: number) => {
        let least = Number.POSITIVE_INFINITY;
        for (let attempt = 0; attempt < 3; attempt++) {
          await worker.drain();
          await worker.stop();
          const sent = receivers.map((r) => r.received.length);
          for (let i = 0; i < n; i++) await emit(h().ctx.repos, NO_REQUEST, { poolId, name, data: { i } });
          await new Promise((r) => setTimeout(r, 60));
          const before = counter.count;
          worker.start();
          await worker.drain();
          least = Math.min(least, counter.count - before);
          assert.deepEqual(
            receivers.map((r, i) => r.received.length - sent[i]!),
            [n, n],
            "each webhook received every event",
          );
        }
        return least;
      };
      const one = await statementsFor(1);
      const eight = await statementsFor(8);
      // The fan-out and the claim are one statement each for the whole batch, and each webhook's
      // window of up to 8 attempts is logged and marked in one: nothing grows with the events.
      // start(): fan-out, claim (2); the two windows' writes (2); drain's looks (fan-out and claim,
      // 2 each) before and after the lanes, and one or two looks of finished lanes (2 or 4): 10
      // or 12, by whether the two lanes finish in one turn or not.
      assert.ok(one <= 12, `one event to two webhooks: ${one} statements`);
      assert.ok(eight <= 12, `eight events to two webhooks: ${eight} statements (one event: ${one})`);
    } finally {
      await close();
    }
  });

  it("round trips: two lanes' windows that end together are written in one statement; a failing one alone", async () => {
    const counter = h().ctx.db.roundTrips;
    assert.ok(counter);
    const { close } = await twoWebhooks("round-trips-writer");
    try {
      const { repos } = h().ctx;
      const poolId = h().boot.userPoolId;
      const hookIds = (await repos.webhooks.listWebhooks(poolId, 0, 100)).map((x) => x.id);
      const now = Date.now();
      const window = (webhookId: string): WindowWrite => ({
        logs: [
          {
            id: newId(),
            webhook_id: webhookId,
            delivery_id: null,
            event_name: "round-trips-writer",
            attempt: 1,
            request_body: "{}",
            request_headers: "{}",
            response_status: 204,
            response_headers: "{}",
            response_body: "",
            success: 1,
            error: null,
            duration_ms: 1,
            created_at: now,
          },
        ],
        done: [{ id: newId(), status: "delivered", attempts: 1, next_attempt_at: now }],
        now,
        also: [],
      });
      const logged = async () => {
        let n = 0;
        for (const id of hookIds) n += await repos.webhooks.countLogs(id);
        return n;
      };
      const writer = windowWriter({ db: h().ctx.db.kysely, repos }, () => 2);
      const logsBefore = await logged();
      const before = counter.count;
      await Promise.all([writer.write(window(hookIds[0]!)), writer.write(window(hookIds[1]!))]);
      assert.equal(counter.count - before, 1, "both lanes' windows in one statement");
      assert.equal((await logged()) - logsBefore, 2);
      // A window whose rows cannot be written (its webhook is gone) fails alone: the other's commit.
      const [gone, kept] = await Promise.allSettled([
        writer.write(window("no-such-webhook")),
        writer.write(window(hookIds[0]!)),
      ]);
      assert.equal(gone.status, "rejected");
      assert.equal(kept.status, "fulfilled");
      assert.equal((await logged()) - logsBefore, 3);
    } finally {
      await close();
    }
  });

  it("round trips: under a steady stream of events to two webhooks the worker looks once per gap, not once per event", async () => {
    const counter = h().ctx.db.roundTrips;
    assert.ok(counter);
    const { worker, emit } = h().ctx.events;
    const poolId = h().boot.userPoolId;
    const name = "round-trips-stream";
    const { receivers, close } = await twoWebhooks(name);
    try {
      await worker.drain();
      worker.start();
      const n = 40;
      const before = counter.count;
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        await emit(h().ctx.repos, NO_REQUEST, { poolId, name, data: { i } });
        await new Promise((r) => setTimeout(r, 5));
      }
      while (receivers.some((r) => r.received.length < n)) await new Promise((r) => setTimeout(r, 10));
      const elapsed = performance.now() - started;
      const statements = counter.count - before;
      // Each event's insert, and per look at most a fan-out, a claim and one window's write per
      // webhook (4): looks at least lookGapMs apart, plus the first look and the second nudge's.
      // A finished lane used to look at once, whatever the gap: about one look per event.
      const looks = elapsed / lookGapMs("postgres") + 3;
      assert.ok(
        statements <= n + 4 * looks,
        `${statements} statements for ${n} events in ${Math.round(elapsed)} ms (at most ${Math.floor(n + 4 * looks)})`,
      );
    } finally {
      await close();
    }
  });

  it("round trips: the count is on /metrics (gatehouse_db_round_trips_total), where the bench reads it", async () => {
    const counted = async () => {
      const text = (await h().inject({ method: "GET", url: "/metrics" })).body;
      const line = text.split("\n").find((l) => l.startsWith("gatehouse_db_round_trips_total "));
      assert.ok(line, "the counter is exported");
      return Number(line.split(" ")[1]);
    };
    await h().ctx.repos.applications.findApplicationById(h().boot.appId);
    await h().ctx.repos.pools.findPoolById(h().boot.userPoolId);
    const before = await counted();
    assert.equal(before, h().ctx.db.roundTrips?.count);
    const r = await h().api("POST", "/api/v3/send-sms", {
      channel: "CHANNEL_LOGIN",
      phoneNumber: newPhone(),
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    const after = await counted();
    assert.equal(after, h().ctx.db.roundTrips?.count);
    assert.ok(after - before >= 2, "send-sms's statements are counted");
  });
});
