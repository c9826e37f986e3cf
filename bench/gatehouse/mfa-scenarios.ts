import { Secret, TOTP } from "otpauth";
import { ARGON2_CEILING, V3_CEILING } from "../groups/ceilings.js";
import type { Plan, RequestSpec, TotpUser } from "../lib/load-types.js";
import { type HttpScenario, windowSec } from "../lib/measure.js";
import { accessTokens, apiSignInMfaOn, seedOtpFactors } from "./mfa.js";
import { call, probeRate, requests, type ScenarioEnv } from "./scenarios.js";
import { seededUser, seedUsers } from "./seed.js";

/**
 * The MFA users are seeded from this index on, apart from the users other scenarios seed (the
 * group's 1,000, the spares and the phone-code sign-in's, which count up from there).
 */
const MFA_USERS_FROM = 90_000_000;
/** The most MFA users one load is given (each verify line's user needs an access token too). */
const MAX_USERS = 40_000;
/** Users of the verify line's rate probe. */
const PROBE_USERS = 300;
/** Seconds in which a user's code is accepted once: every user can be sent again after it. */
const STEP_SEC = 30;
const JSON_HEADERS = { "content-type": "application/json" };

const codeNow = (secret: string) =>
  new TOTP({ algorithm: "SHA1", digits: 6, period: STEP_SEC, secret: Secret.fromBase32(secret) }).generate();

/**
 * The MFA lines (docs/performance.md §The MFA lines): `mfa-totp-verify` — a signed-in user's TOTP
 * check, against the V3 ceiling — and `mfa-sign-in-password+totp` — a password sign-in answered
 * with the MFA step (1635), completed with a TOTP code for the tokens, against the argon2id rate.
 * A code is accepted once per 30-second step and user, so each load gets as many users as it can
 * send in a step, each with a TOTP factor whose secret the load generator knows (plan `totp`).
 */
export function mfaScenarios(env: ScenarioEnv): HttpScenario[] {
  const base = { pid: env.server.pid, url: env.server.url, countRoundTrips: env.dialect === "postgres" };
  const name = (s: string) => `${env.label ?? env.dialect}:${s}`;
  const { settings, log, boot } = env;
  const app = { "x-authing-app-id": boot.appId, ...JSON_HEADERS };
  const r = requests(env);
  let next = MFA_USERS_FROM;

  /** `count` new users with a password (the bench's) and an OTP factor. */
  async function mfaUsers(count: number): Promise<{ index: number; secret: string }[]> {
    const from = next;
    next += count;
    await seedUsers(env.db.url, count, { from });
    const indexes = Array.from({ length: count }, (_, k) => from + k);
    const secrets = await seedOtpFactors(
      env.db,
      boot.userPoolId,
      indexes.map((i) => seededUser(i).id),
    );
    return indexes.map((index, k) => ({ index, secret: secrets[k]! }));
  }

  /** Users for a load of `loadSec` at `rate`: one step's worth at most, as each user comes back in the next. */
  const usersFor = (rate: number, loadSec: number) =>
    Math.min(MAX_USERS, Math.ceil(rate * Math.min(loadSec, STEP_SEC)) + 2 * settings.connections);
  const loadSec = (slow: boolean) =>
    settings.warmupSec * (slow ? 3 : 1) + settings.runs * windowSec({ slow }, settings);

  // mfa-totp-verify: POST /api/v3/mfa-totp-verify {totp} with the user's access token.
  const verifyRequest = (token: string, totp: string): RequestSpec => ({
    method: "POST",
    path: "/api/v3/mfa-totp-verify",
    headers: { ...app, authorization: token },
    body: JSON.stringify({ totp }),
  });
  async function verifyPlan(count: number): Promise<Plan> {
    const users = await mfaUsers(count);
    const tokens = await accessTokens(
      env.db,
      env.server.url,
      boot.appId,
      boot.userPoolId,
      users.map((u) => seededUser(u.index).id),
    );
    const list: TotpUser[] = users.map((u, k) => ({
      secret: u.secret,
      request: verifyRequest(tokens[k]!, "{totp}"),
    }));
    return { kind: "totp", users: list };
  }
  const totpVerify: HttpScenario = {
    ...base,
    name: name("mfa-totp-verify"),
    ceiling: V3_CEILING,
    verify: async () => {
      const [u] = await mfaUsers(1);
      const [token] = await accessTokens(env.db, env.server.url, boot.appId, boot.userPoolId, [
        seededUser(u!.index).id,
      ]);
      const body = await call(env, verifyRequest(token!, codeNow(u!.secret)));
      if (body.data?.verified !== true)
        throw new Error(`a right code was not verified: ${JSON.stringify(body)}`);
    },
    job: async () => {
      // Enough users for the target (half the V3 ceiling), or for four times what a short probe
      // reads (it starts cold: it read a third of the warm rate), whichever is fewer: each user
      // costs a token, and the V3 ceiling of a busy machine is noisy.
      const rate = await probeRate(env, await verifyPlan(PROBE_USERS));
      const count = Math.min(usersFor(0.5 * env.v3Rps, loadSec(false)), usersFor(4 * rate, loadSec(false)));
      const t = Date.now();
      const plan = await verifyPlan(count);
      log(
        `  probe ~${Math.round(rate)}/s: ${count} users with an OTP factor and an access token in ${((Date.now() - t) / 1000).toFixed(1)} s`,
      );
      return { plan, expect: '"verified":true' };
    },
  };

  // The password sign-in that answers the MFA step, then the step's TOTP verify for the tokens.
  const stepRequest: RequestSpec = {
    method: "POST",
    path: "/api/v2/applications/mfa/totp/verify",
    headers: { ...app, authorization: "Bearer {captured}" },
    body: JSON.stringify({ totp: "{totp}" }),
  };
  let restore: (() => Promise<void>) | undefined;
  const signInWithTotp: HttpScenario = {
    ...base,
    name: name("mfa-sign-in-password+totp"),
    ceiling: ARGON2_CEILING,
    slow: true,
    requestsPerUnit: 2,
    note: "password sign-in answering the MFA step (1635), then its TOTP verify: sign-ins/s",
    before: async () => {
      restore = await apiSignInMfaOn(env.db, boot.userPoolId);
    },
    after: async () => {
      await restore?.();
      restore = undefined;
    },
    verify: async () => {
      const [u] = await mfaUsers(1);
      const first = await post(env, r.signInPassword(u!.index));
      const mfaToken = first.data?.mfaToken;
      if (first.apiCode !== 1635 || typeof mfaToken !== "string")
        throw new Error(`sign-in did not answer the MFA step: ${JSON.stringify(first).slice(0, 300)}`);
      const done = await post(env, {
        ...stepRequest,
        headers: { ...app, authorization: `Bearer ${mfaToken}` },
        body: JSON.stringify({ totp: codeNow(u!.secret) }),
      });
      if (typeof done.data?.access_token !== "string")
        throw new Error(`the MFA step gave no tokens: ${JSON.stringify(done).slice(0, 300)}`);
    },
    job: async () => {
      // A sign-in hashes once: the argon2id rate of this run bounds its rate, give or take the noise.
      const count = usersFor(1.5 * env.argon2Rps, loadSec(true));
      log(`  ${count} users with an OTP factor for the load`);
      const users = await mfaUsers(count);
      return {
        plan: {
          kind: "totp",
          users: users.map((u) => ({ secret: u.secret, request: r.signInPassword(u.index) })),
          second: { request: stepRequest, capture: "data.mfaToken", expect: '"access_token"' },
        },
      };
    },
  };
  return [totpVerify, signInWithTotp];
}

/** Sends one request; throws unless it answers HTTP 200 with JSON (its envelope is the caller's to judge). */
async function post(env: ScenarioEnv, spec: RequestSpec): Promise<any> {
  const res = await fetch(env.server.url + spec.path, {
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${spec.path} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}
