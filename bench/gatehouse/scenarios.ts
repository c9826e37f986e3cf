import type { BootstrapInfo } from "@gatehouse/server/dist/services/admin/bootstrap.js";
import { ARGON2_CEILING, V3_CEILING } from "../groups/ceilings.js";
import { runLoad } from "../lib/load.js";
import type { Plan, RequestSpec } from "../lib/load-types.js";
import { type HttpScenario, type Log, type Settings, windowSec } from "../lib/measure.js";
import type { ServerProcess } from "../lib/proc.js";
import type { Dialect, FreshDatabase } from "./database.js";
import { CodeIssuer } from "./fixtures.js";
import { BENCH_PASSWORD, seededUser, seedUsers } from "./seed.js";
import { arrivalLatency, arrivalReceiver, subscribeWebhooks } from "./webhook-latency.js";

export interface ScenarioEnv {
  dialect: Dialect;
  db: FreshDatabase;
  server: ServerProcess;
  boot: BootstrapInfo;
  /** Users seeded before the server started. */
  users: number;
  settings: Settings;
  log: Log;
  /** requests/s of the V3 ceiling in this run (sizes pre-issued codes, sets the 20% load). */
  v3Rps: number;
  /** hashes/s of the argon2id ceiling in this run (sizes the users of the MFA sign-in). */
  argon2Rps: number;
  /** Set for the scale run: only sign-in and get-profile, named `<dialect>:<scale>:…`. */
  scale?: string;
  /** Names the scenarios `<label>:…` instead of `<dialect>:…` (the proxy group). */
  label?: string;
}

const JSON_HEADERS = { "content-type": "application/json" };
const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded" };
const OK = '"statusCode":200';
/** Items for the short rate probe, and the most pre-issued for one scenario. */
const PROBE_ITEMS = 300;
const MAX_ITEMS = 30_000;
const GET_PROFILE = "/api/v3/get-profile?withCustomData=false&withIdentities=false&withDepartmentIds=false";

/** Calls the server as the default app; throws unless it answers HTTP 200 (and envelope 200 on /api/v3). */
export async function call(env: ScenarioEnv, spec: RequestSpec): Promise<any> {
  const res = await fetch(env.server.url + spec.path, {
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      `${spec.method} ${spec.path} answered HTTP ${res.status} with non-JSON: ${text.slice(0, 200)}`,
    );
  }
  const envelopeOk = !spec.path.startsWith("/api/v3/") || parsed.statusCode === 200;
  if (res.status !== 200 || !envelopeOk) {
    throw new Error(
      `${spec.method} ${spec.path.split("?")[0]} answered HTTP ${res.status} ${text.slice(0, 300)}`,
    );
  }
  return parsed;
}

/** Runs `fn` over `items` with `concurrency` lanes. */
async function inLanes<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

export function requests(env: ScenarioEnv) {
  const app = { "x-authing-app-id": env.boot.appId };
  const client = { client_id: env.boot.appId, client_secret: env.boot.appSecret };
  const form = (o: Record<string, string>) => new URLSearchParams({ ...o, ...client }).toString();
  return {
    signInPassword: (i: number, scope?: string): RequestSpec => ({
      method: "POST",
      path: "/api/v3/signin",
      headers: { ...app, ...JSON_HEADERS },
      body: JSON.stringify({
        connection: "PASSWORD",
        passwordPayload: { email: seededUser(i).email, password: BENCH_PASSWORD },
        ...(scope ? { options: { scope } } : {}),
        ...client,
      }),
    }),
    signInPhoneCode: (phoneNational: string, passCode: string): RequestSpec => ({
      method: "POST",
      path: "/api/v3/signin",
      headers: { ...app, ...JSON_HEADERS },
      body: JSON.stringify({
        connection: "PASSCODE",
        passCodePayload: { phone: phoneNational, phoneCountryCode: "+86", passCode },
        ...client,
      }),
    }),
    signUp: (email: string): RequestSpec => ({
      method: "POST",
      path: "/api/v3/signup",
      headers: { ...app, ...JSON_HEADERS },
      body: JSON.stringify({ connection: "PASSWORD", passwordPayload: { email, password: BENCH_PASSWORD } }),
    }),
    getProfile: (token: string): RequestSpec => ({
      method: "GET",
      path: GET_PROFILE,
      headers: { ...app, authorization: token },
    }),
    oidcMe: (token: string): RequestSpec => ({
      method: "GET",
      path: `/oidc/me?access_token=${encodeURIComponent(token)}`,
      headers: app,
    }),
    introspect: (token: string): RequestSpec => ({
      method: "POST",
      path: "/oidc/token/introspection",
      headers: { ...app, ...FORM_HEADERS },
      body: form({ token }),
    }),
    refresh: (refreshToken: string): RequestSpec => ({
      method: "POST",
      path: "/oidc/token",
      headers: { ...app, ...FORM_HEADERS },
      body: form({ grant_type: "refresh_token", refresh_token: refreshToken }),
    }),
    /** An access key (the pool's own) asks for a machine token. */
    clientCredentials: (): RequestSpec => ({
      method: "POST",
      path: "/oidc/token",
      headers: FORM_HEADERS,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        scope: "jobs:run",
        client_id: env.boot.userPoolId,
        client_secret: env.boot.userPoolSecret,
      }).toString(),
    }),
    sendSms: (phoneNational: string): RequestSpec => ({
      method: "POST",
      path: "/api/v3/send-sms",
      headers: { ...app, ...JSON_HEADERS },
      body: JSON.stringify({ channel: "CHANNEL_LOGIN", phoneNumber: phoneNational, phoneCountryCode: "+86" }),
    }),
    verifyUpdatePhone: (
      token: string,
      p: { oldPhone: string; oldCode: string; newPhone: string; newCode: string },
    ): RequestSpec => ({
      method: "POST",
      path: "/api/v3/verify-update-phone-request",
      headers: { ...app, ...JSON_HEADERS, authorization: token },
      body: JSON.stringify({
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: {
          newPhoneNumber: p.newPhone,
          newPhonePassCode: p.newCode,
          newPhoneCountryCode: "+86",
          oldPhoneNumber: p.oldPhone,
          oldPhonePassCode: p.oldCode,
          oldPhoneCountryCode: "+86",
        },
      }),
    }),
    updatePhone: (): RequestSpec => ({
      method: "POST",
      path: "/api/v3/update-phone",
      headers: { ...app, ...JSON_HEADERS },
      body: JSON.stringify({ updatePhoneToken: "{captured}" }),
    }),
  };
}

export interface Tokens {
  /** Seeded user index of each token. */
  users: number[];
  access: string[];
  refresh: string[];
}

/** Signs seeded users in (password), a few at a time, for their access and refresh tokens. */
export async function signIn(env: ScenarioEnv, users: number[]): Promise<Tokens> {
  const r = requests(env);
  const sets = await inLanes(
    users,
    4,
    async (i) => (await call(env, r.signInPassword(i, "openid profile offline_access"))).data,
  );
  for (const s of sets)
    if (!s?.access_token || !s?.refresh_token)
      throw new Error(`sign-in gave no tokens: ${JSON.stringify(s)}`);
  return { users, access: sets.map((s) => s.access_token), refresh: sets.map((s) => s.refresh_token) };
}

/** `count` user indexes spread evenly over `users` seeded users. */
export function spread(users: number, count: number, offset = 0): number[] {
  const n = Math.min(users, count);
  return Array.from({ length: n }, (_, k) => Math.floor((k * users) / n) + offset);
}

const national = (e164: string) => e164.replace(/^\+86/, "");
/** A phone number that no seeded user has: `+86 <prefix> <8 digits>`. */
const phone = (prefix: string, n: number) => `+86${prefix}${String(n).padStart(8, "0")}`;

/** Requests/s of a short load with `requests` used once each: sizes what a scenario uses up. */
export async function probeRate(env: ScenarioEnv, plan: Plan): Promise<number> {
  const r = await runLoad({
    url: env.server.url,
    plan,
    connections: env.settings.connections,
    warmupSec: 0,
    windows: 1,
    durationSec: 2,
  });
  return r.elapsedSec > 0 ? r.answered / r.elapsedSec : 0;
}

export async function scenariosFor(env: ScenarioEnv): Promise<{ list: HttpScenario[] }> {
  const name = (s: string) => `${env.label ?? env.dialect}:${env.scale ? `${env.scale}:` : ""}${s}`;
  const base = { pid: env.server.pid, url: env.server.url, countRoundTrips: env.dialect === "postgres" };
  const r = requests(env);
  const { settings, log } = env;
  const tokenCount = settings.quick ? 100 : 200;
  log(`  signing in ${tokenCount} users for tokens`);
  const tokens = await signIn(env, spread(env.users, tokenCount));
  const signInUsers = spread(env.users, 1000);
  // Units/s each scenario reached at saturation in this group. Its `@50%` line, measured right
  // after it, loads at half that rate: latency there is the server's, not a queue's.
  const maxRate = new Map<string, number>();
  const halfOf = (scenario: string): number => {
    const max = maxRate.get(name(scenario));
    if (max === undefined)
      throw new Error(
        `${name(scenario)}@50% needs ${name(scenario)} measured first (its rate sets the load)`,
      );
    return max / 2;
  };

  const getProfile: HttpScenario = {
    ...base,
    measuredAs: (row) => maxRate.set(row.name, row.rps),
    name: name("get-profile"),
    ceiling: V3_CEILING,
    verify: () => call(env, r.getProfile(tokens.access[0])),
    job: async () => ({ plan: { kind: "rotate", requests: tokens.access.map(r.getProfile) }, expect: OK }),
  };
  const signInPassword: HttpScenario = {
    ...base,
    name: name("sign-in-password"),
    ceiling: ARGON2_CEILING,
    slow: true,
    verify: () => call(env, r.signInPassword(signInUsers[0])),
    job: async () => ({
      plan: { kind: "rotate", requests: signInUsers.map((i) => r.signInPassword(i)) },
      expect: OK,
    }),
  };
  if (env.scale) return { list: [getProfile, signInPassword] };

  // Total seconds of one scenario's load, to size what is used up (codes, users).
  const loadSec = (slow = false) =>
    settings.warmupSec * (slow ? 3 : 1) + settings.runs * windowSec({ slow }, settings);
  const issuer = CodeIssuer.open(env.db, env.boot.userPoolId);
  // Spare users for sample requests that use a user up (a phone takes one code a minute).
  const SPARE = 20;
  await seedUsers(env.db.url, SPARE, { from: env.users });
  let spare = env.users;
  let extraUsers = env.users + SPARE;
  let verifySends = 0;
  const refreshSeeds = await signIn(env, spread(env.users, settings.connections));

  const list: HttpScenario[] = [
    getProfile,
    // PostgreSQL only: read against the same line behind the proxy (a read should not wait on
    // the database); on SQLite nothing compares it.
    ...(env.dialect === "postgres"
      ? [
          {
            ...getProfile,
            measuredAs: undefined,
            name: name("get-profile@50%"),
            note: "at half the rate its own line reached",
            job: async () => ({
              ...(await getProfile.job()),
              overallRate: Math.round(halfOf("get-profile")),
            }),
          },
        ]
      : []),
    {
      ...base,
      name: name("oidc-me"),
      ceiling: V3_CEILING,
      verify: () => call(env, r.oidcMe(tokens.access[0])),
      job: async () => ({ plan: { kind: "rotate", requests: tokens.access.map(r.oidcMe) }, expect: '"sub"' }),
    },
    {
      ...base,
      name: name("introspection"),
      ceiling: V3_CEILING,
      verify: async () => {
        const body = await call(env, r.introspect(tokens.access[0]));
        if (body.active !== true) throw new Error(`introspection says inactive: ${JSON.stringify(body)}`);
      },
      job: async () => ({
        plan: { kind: "rotate", requests: tokens.access.map(r.introspect) },
        expect: '"active":true',
      }),
    },
    {
      ...base,
      name: name("client-credentials"),
      ceiling: V3_CEILING,
      note: "the pool's own key, scope jobs:run: a signed at+jwt per request",
      verify: () => call(env, r.clientCredentials()),
      job: async () => ({
        plan: { kind: "fixed", request: r.clientCredentials() },
        expect: '"access_token"',
      }),
    },
    {
      ...base,
      name: name("get-profile+sign-in-burst"),
      ceiling: V3_CEILING,
      note: "get-profile measured while 25 connections sign in with passwords",
      verify: () => call(env, r.getProfile(tokens.access[0])),
      job: async () => ({ plan: { kind: "rotate", requests: tokens.access.map(r.getProfile) }, expect: OK }),
      background: (seconds) =>
        runLoad({
          url: env.server.url,
          plan: { kind: "rotate", requests: signInUsers.map((i) => r.signInPassword(i)) },
          connections: 25,
          warmupSec: 0,
          windows: 1,
          durationSec: seconds,
        }),
    },
    {
      ...base,
      name: name("refresh-token"),
      ceiling: V3_CEILING,
      verify: async () => {
        const spare = await signIn(env, [0]);
        await call(env, r.refresh(spare.refresh[0]));
      },
      job: async () => ({
        plan: {
          kind: "chain",
          request: r.refresh("{value}"),
          seeds: refreshSeeds.refresh,
          capture: "refresh_token",
        },
        expect: '"access_token"',
      }),
    },
    signInPassword,
    {
      ...base,
      name: name("sign-up"),
      ceiling: ARGON2_CEILING,
      slow: true,
      verify: () =>
        call(env, r.signUp(`verify-${Date.now()}-${Math.random().toString(36).slice(2)}@bench.test`)),
      job: async () => ({
        plan: { kind: "unique", prefix: `su${Date.now()}-`, request: r.signUp("{n}@bench.test") },
        expect: OK,
      }),
    },
    signUpWithWebhooks(env, base, name("sign-up@2-webhooks"), r.signUp),
    {
      ...base,
      name: name("send-sms"),
      ceiling: V3_CEILING,
      verify: () => call(env, r.sendSms(national(phone("135", verifySends++)))),
      job: async () => ({
        plan: { kind: "unique", prefix: "136", pad: 8, request: r.sendSms("{n}") },
        expect: OK,
      }),
    },
    {
      ...base,
      name: name("sign-in-phone-code"),
      ceiling: V3_CEILING,
      verify: async () => {
        const u = seededUser(spare++);
        const [code] = await issuer.issue([{ phone: u.phone, channel: "CHANNEL_LOGIN" }]);
        await call(env, r.signInPhoneCode(u.phoneNational, code));
      },
      job: async () => {
        // One code per sign-in and one live code per phone: as many fresh users as sign-ins.
        const prepare = async (count: number): Promise<Plan> => {
          await seedUsers(env.db.url, count, { from: extraUsers });
          const users = Array.from({ length: count }, (_, k) => seededUser(extraUsers + k));
          extraUsers += count;
          const codes = await issuer.issue(users.map((u) => ({ phone: u.phone, channel: "CHANNEL_LOGIN" })));
          return {
            kind: "once",
            requests: users.map((u, k) => r.signInPhoneCode(u.phoneNational, codes[k])),
          };
        };
        const rate = await probeRate(env, await prepare(PROBE_ITEMS));
        const count = Math.min(MAX_ITEMS, Math.ceil(rate * loadSec() * 3) + 2 * settings.connections);
        log(`  ~${Math.round(rate)}/s: seeding ${count} users and pre-issuing their CHANNEL_LOGIN codes`);
        return { plan: await prepare(count), expect: OK };
      },
    },
  ];

  // The hosted sign-in page: one render (interaction read, app and pool, template, CSRF token).
  const pageUids = await issuer.loginInteractions(env.boot.appId, 200);
  const signInPage = (uid: string): RequestSpec => ({
    method: "GET",
    path: `/interaction/${uid}?method=password`,
  });
  list.push({
    ...base,
    name: name("hosted-sign-in-page"),
    ceiling: V3_CEILING,
    note: "GET /interaction/<uid>: the server-rendered sign-in form",
    verify: async () => {
      const res = await fetch(env.server.url + signInPage(pageUids[0] ?? "").path);
      const html = await res.text();
      if (res.status !== 200 || !html.includes('<form method="post"'))
        throw new Error(`sign-in page answered HTTP ${res.status}: ${html.slice(0, 200)}`);
    },
    job: async () => ({
      plan: { kind: "rotate", requests: pageUids.map(signInPage) },
      expect: '<form method="post"',
    }),
  });

  // The change-phone pair: pair k of a batch belongs to token holder k mod U; its old phone is
  // the holder's phone now (read from the database), then the new phone of pair k - U. Codes for
  // both phones are pre-issued (CHANNEL_UNBIND_PHONE for the old, CHANNEL_BIND_PHONE for the new).
  let newPhones = 0;
  const pairs = async (count: number) => {
    const U = tokens.access.length;
    // Requests in flight when the last load stopped are still being answered: let them land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const current = await issuer.phonesOf(tokens.users.map((i) => seededUser(i).id));
    const from = newPhones;
    newPhones += count;
    const newPhone = (k: number) => phone("137", from + k);
    const oldPhone = (k: number) => (k < U ? current[k % U] : newPhone(k - U));
    log(`  pre-issuing ${2 * count} codes for ${count} change-phone pairs`);
    const codes = await issuer.issue(
      Array.from({ length: count }, (_, k) => [
        { phone: oldPhone(k), channel: "CHANNEL_UNBIND_PHONE" },
        { phone: newPhone(k), channel: "CHANNEL_BIND_PHONE" },
      ]).flat(),
    );
    return Array.from({ length: count }, (_, k) =>
      r.verifyUpdatePhone(tokens.access[k % U], {
        oldPhone: national(oldPhone(k)),
        oldCode: codes[2 * k],
        newPhone: national(newPhone(k)),
        newCode: codes[2 * k + 1],
      }),
    );
  };
  const pairPlan = async (count: number): Promise<Plan> => ({
    kind: "pair",
    first: await pairs(count),
    second: r.updatePhone(),
    capture: "data.updatePhoneToken",
  });
  /** `rate`: a cap in pairs/s (the latency-at-load run); else as fast as it goes. */
  const pairScenario = (label: string, rate?: () => number): HttpScenario => ({
    ...base,
    measuredAs: rate ? undefined : (row) => maxRate.set(row.name, row.rps),
    name: name(label),
    ceiling: V3_CEILING,
    requestsPerUnit: 2,
    job: async () => {
      const measured = (await probeRate(env, await pairPlan(PROBE_ITEMS))) / 2;
      const pairsPerSec = rate ? Math.min(rate(), measured * 1.2) : measured;
      // The probe starts cold and under-reads the rate: prepare three times what it saw.
      const count = Math.min(MAX_ITEMS, Math.ceil(pairsPerSec * loadSec() * 3) + 2 * settings.connections);
      log(`  ~${Math.round(measured)} pairs/s`);
      return {
        plan: await pairPlan(count),
        overallRate: rate ? Math.round(rate() * 2) : undefined,
        expect: OK,
      };
    },
  });
  list.push(
    pairScenario("change-phone-pair"),
    // Latency at half the pairs/s the line above reached (two requests each).
    pairScenario("change-phone-pair@50%", () => halfOf("change-phone-pair")),
  );
  return { list };
}

/**
 * Sign-up with two webhooks subscribed to `register`, right after plain sign-up on the same
 * server: the rate ratio between the two rows is the cost of the outbox and its deliveries. Before
 * the load, 200 sign-ups (10 at a time) time each response to its webhook's arrival: the note
 * carries that p50/p99. The webhooks stay subscribed for the rest of the run's scenarios, which
 * do not sign up.
 */
function signUpWithWebhooks(
  env: ScenarioEnv,
  base: { pid: number; url: string },
  scenarioName: string,
  signUp: (email: string) => RequestSpec,
): HttpScenario {
  const scenario: HttpScenario = {
    ...base,
    name: scenarioName,
    ceiling: ARGON2_CEILING,
    slow: true,
    job: async () => {
      const a = await arrivalReceiver();
      const b = await arrivalReceiver();
      await subscribeWebhooks(env.db, env.boot.userPoolId, [a.url, b.url]);
      const stamp = `wl${Date.now()}`;
      const latency = await arrivalLatency(
        async (i) => (await call(env, signUp(`${stamp}-${i}@bench.test`))).data.userId as string,
        a,
        200,
        10,
      );
      scenario.note = `sign-up response → webhook arrival: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms (200 sign-ups, 10 at a time${latency.missing ? `, ${latency.missing} missing` : ""})`;
      env.log(`  ${scenario.note}`);
      return {
        plan: { kind: "unique", prefix: `sw${Date.now()}-`, request: signUp("{n}@bench.test") },
        expect: OK,
      };
    },
  };
  return scenario;
}
