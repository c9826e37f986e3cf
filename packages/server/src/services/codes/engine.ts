import type { PoolSettings } from "@gatehouse/protocol";
import type { Kysely, Transaction } from "kysely";
import type { Config } from "../../config.js";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import { ipRateKey } from "../../lib/ip-key.js";
import type { Courier } from "../../messaging/courier.js";
import { codeEmail, codeSmsText } from "../../messaging/templates.js";
import type { OutgoingMessage } from "../../messaging/types.js";
import { allOrNothing, type Step, StepFailed } from "../../storage/repos/all-or-nothing.js";
import { type CodeRow, codesRepo, reserveCodeAttemptsOf } from "../../storage/repos/codes.js";
import { type Executor, type Repositories, repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";
import { splitE164 } from "../users/phone.js";
import { type CodeBinding, codeMatches, generateCode, hashCode, unusableHash } from "./code-secret.js";
import type { Bucket, CounterStore } from "./counter-store.js";

export type CodeKind = "sms" | "email";

/** What a code is bound to: (pool, kind, channel, normalised target). */
export interface CodeTarget {
  poolId: string;
  kind: CodeKind;
  /** E.164 for sms, lower-cased for email. */
  target: string;
}

export interface SendCodeRequest extends CodeTarget {
  channel: string;
  settings: PoolSettings;
  clientIp?: string;
  /**
   * false: go through every limit and answer as if sent, but deliver nothing and store
   * nothing usable (no account enumeration on CHANNEL_RESET_PASSWORD for unknown targets).
   */
  deliver?: boolean;
}

/** A code that passed `check`; `consume` spends it. */
export interface CheckedCode {
  id: string;
}

/** A code to check: where it was sent, on which channels it counts, what the user typed. */
export interface CodeCheck {
  target: CodeTarget;
  channels: readonly string[];
  code: string;
}

export interface CodeService {
  /** Issue and deliver a new code; enforces cooldown (429/2080) and hourly caps (429). */
  send(req: SendCodeRequest): Promise<void>;
  /**
   * Check `code` against the live code for the target on any of `channels`, without consuming it.
   * Wrong → counts an attempt atomically, throws CODE_WRONG; expired/exhausted/none → CODE_EXPIRED.
   */
  check(
    target: CodeTarget,
    channels: readonly string[],
    code: string,
    settings: PoolSettings,
  ): Promise<CheckedCode>;
  /**
   * Consume every checked code atomically (all or nothing, `UPDATE … WHERE consumed_at IS NULL`);
   * throws CODE_EXPIRED when any was consumed meanwhile. Pass a transaction to tie it to a write.
   */
  consume(codes: readonly CheckedCode[], trx?: Executor): Promise<void>;
  /**
   * Check codes and run `work` with them spent, in one transaction: one commit for the whole
   * step. The codes are judged in order; the first wrong or missing one throws CODE_WRONG /
   * CODE_EXPIRED and only its attempt is committed (those before it were right, those after
   * it unchecked). A throw from `work` rolls everything back: no code spent, no attempt counted.
   * `work` runs inside the transaction: no hashing, no calls out (docs/architecture.md, habit 12).
   */
  spendWith<T>(
    checks: readonly CodeCheck[],
    work: (repos: Repositories, trx: Transaction<Database>) => Promise<T>,
  ): Promise<T>;
  /**
   * spendWith for a step whose writes are known before the codes are judged: the codes are
   * reserved (one statement), judged, then spent together with `steps` as one all-or-nothing
   * batch (storage/repos/all-or-nothing.ts) — on PostgreSQL two round trips instead of a
   * transaction's begin, statements and commit. Judged as spendWith: the first wrong or missing
   * code throws and only its attempt stays counted. When the batch is not kept (a step failed
   * its expectation: StepFailed with the index into `steps`; or a constraint) every attempt is
   * given back and no code is spent. Returns the steps' rows.
   */
  spendThen(checks: readonly CodeCheck[], steps: readonly Step[]): Promise<unknown[][]>;
  /** check + consume. */
  verifyAndConsume(
    target: CodeTarget,
    channels: readonly string[],
    code: string,
    settings: PoolSettings,
  ): Promise<void>;
}

/** Same target + channel: one code a minute (GenAuth's documented limit). */
export const CODE_COOLDOWN_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Expired rows are kept a day (for support questions), then purged every PURGE_EVERY sends. */
const KEEP_EXPIRED_MS = 86_400_000;
const PURGE_EVERY = 500;

export interface CodeServiceDeps {
  db: Kysely<Database>;
  repos: Repositories;
  counters: CounterStore;
  courier: Courier;
  clock: Clock;
  secret: string;
  config: Pick<
    Config,
    "codeTargetHourlyLimit" | "codeIpHourlyLimit" | "smsPoolHourlyLimit" | "emailPoolHourlyLimit"
  >;
}

/** Email targets are case-insensitive; phones arrive as E.164 from normalizePhone. */
function normaliseTarget(t: CodeTarget): CodeTarget {
  return t.kind === "email" ? { ...t, target: t.target.trim().toLowerCase() } : t;
}

type SendLimitError = "CODE_COOLDOWN" | "CODE_HOURLY_CAP" | "SMS_POOL_HOURLY_CAP" | "EMAIL_POOL_HOURLY_CAP";

/**
 * Cooldown first, then the caps: narrow to wide, the same order on every request (lock order),
 * the pool's count last (docs/behaviour-and-errors.md §1.6). The buckets are taken all or none,
 * so a send refused by a narrower cap costs the pool nothing.
 */
export function sendBuckets(
  req: SendCodeRequest,
  config: CodeServiceDeps["config"],
): { buckets: Bucket[]; errors: SendLimitError[] } {
  const s = req.settings;
  const targetLimit = s.codeTargetHourlyLimit || config.codeTargetHourlyLimit;
  const ipLimit = s.codeIpHourlyLimit || config.codeIpHourlyLimit;
  const poolLimit =
    req.kind === "sms"
      ? s.smsPoolHourlyLimit || config.smsPoolHourlyLimit
      : s.emailPoolHourlyLimit || config.emailPoolHourlyLimit;
  const buckets: Bucket[] = [
    {
      key: `code-cooldown:${req.poolId}:${req.kind}:${req.target}:${req.channel}`,
      limit: 1,
      windowMs: CODE_COOLDOWN_MS,
    },
    {
      key: `code-target-hour:${req.poolId}:${req.kind}:${req.target}`,
      limit: targetLimit,
      windowMs: HOUR_MS,
    },
  ];
  const errors: SendLimitError[] = ["CODE_COOLDOWN", "CODE_HOURLY_CAP"];
  if (req.clientIp) {
    buckets.push({
      key: `code-ip-hour:${req.poolId}:${ipRateKey(req.clientIp)}`,
      limit: ipLimit,
      windowMs: HOUR_MS,
    });
    errors.push("CODE_HOURLY_CAP");
  }
  buckets.push({ key: `code-pool-hour:${req.poolId}:${req.kind}`, limit: poolLimit, windowMs: HOUR_MS });
  errors.push(req.kind === "sms" ? "SMS_POOL_HOURLY_CAP" : "EMAIL_POOL_HOURLY_CAP");
  return { buckets, errors };
}

/**
 * The verification-code engine: CSPRNG numeric codes bound to (pool, kind, channel,
 * target), stored as HMACs, TTL, single use, attempt-limited, cooldown and hourly caps.
 */
export function createCodeService(deps: CodeServiceDeps): CodeService {
  const { repos, clock, secret } = deps;
  let sends = 0;

  async function send(raw: SendCodeRequest): Promise<void> {
    // Before anything is taken or written, and whether or not the code will be delivered (an
    // unknown account answers the same).
    if (deps.courier.full) throw new ApiError("MESSAGE_SERVICE_BUSY");
    const req = { ...raw, ...normaliseTarget(raw) };
    const now = clock.now();
    const { buckets, errors } = sendBuckets(req, deps.config);
    const full = await deps.counters.take(buckets, now);
    if (full !== undefined) throw new ApiError(errors[full]!);

    const ttl = req.settings.verifyCodeExpiresIn;
    const code = generateCode(req.settings.verifyCodeLength);
    const deliver = req.deliver !== false;
    const binding: CodeBinding = req;
    // deliver:false still writes a row (same work, same answers to later guesses: "wrong", not
    // "none"), but with a hash no code matches — nothing usable is stored.
    await repos.codes.upsertCode({
      id: newId(),
      pool_id: req.poolId,
      kind: req.kind,
      channel: req.channel,
      target: req.target,
      code_hash: deliver ? hashCode(secret, binding, code) : unusableHash(),
      attempts: 0,
      max_attempts: req.settings.verifyCodeMaxAttempts,
      expires_at: now + ttl * 1000,
      consumed_at: null,
      created_at: now,
    });
    if (deliver) deps.courier.deliver(codeMessage(req, code, ttl));
    if (++sends % PURGE_EVERY === 0) await purge(now);
  }

  async function purge(now: number): Promise<void> {
    await repos.codes.purgeCodesExpiredBefore(now - KEEP_EXPIRED_MS);
    await deps.counters.purge(now);
  }

  /** The reserved codes of one check, judged: the one that matches, or why none does. */
  async function judge(
    repo: Pick<Repositories["codes"], "hasLiveCode">,
    t: CodeTarget,
    channels: readonly string[],
    reserved: readonly CodeRow[],
    code: string,
    now: number,
  ): Promise<{ match: CodeRow } | { failure: "CODE_WRONG" | "CODE_EXPIRED" }> {
    if (reserved.length === 0) {
      // A code sent on another channel is wrong here, not missing (docs/behaviour-and-errors.md §3.5).
      // A live code on these channels that could not be reserved is being used up by parallel
      // guesses (their attempts fill it for a moment): expired or used, as it is about to be.
      const elsewhere = await repo.hasLiveCode(t.poolId, t.kind, t.target, now, channels);
      return { failure: elsewhere ? "CODE_WRONG" : "CODE_EXPIRED" };
    }
    const candidate = code.trim();
    // Compare against every reserved code (no early exit): the time does not say which matched.
    const hits = reserved.map((row) => codeMatches(secret, bindingOf(row), candidate, row.code_hash));
    const match = reserved[hits.indexOf(true)];
    return match ? { match } : { failure: "CODE_WRONG" };
  }

  async function check(
    raw: CodeTarget,
    channels: readonly string[],
    code: string,
    _settings: PoolSettings,
  ): Promise<CheckedCode> {
    const t = normaliseTarget(raw);
    const now = clock.now();
    // Count the attempt before comparing, in the same statement that finds the codes: however
    // many guesses run in parallel, at most max_attempts of them are ever compared against a code.
    const reserved = await repos.codes.reserveCodeAttempts(t.poolId, t.kind, t.target, channels, now);
    const verdict = await judge(repos.codes, t, channels, reserved, code, now);
    if ("failure" in verdict) throw new ApiError(verdict.failure);
    // A right guess is not a wrong try: give the attempts back.
    await repos.codes.releaseCodeAttempts(reserved.map((row) => row.id));
    return { id: verdict.match.id };
  }

  async function spendWith<T>(
    checks: readonly CodeCheck[],
    work: (repos: Repositories, trx: Transaction<Database>) => Promise<T>,
  ): Promise<T> {
    const now = clock.now();
    const targets = checks.map((c) => normaliseTarget(c.target));
    // Rows are reserved in one order in every transaction (by target), so two flows naming the
    // same two numbers the other way round cannot deadlock on PostgreSQL's row locks.
    const lockOrder = targets.map((_, i) => i).sort((a, b) => compareTargets(targets[a]!, targets[b]!));
    type Outcome = { failure: "CODE_WRONG" | "CODE_EXPIRED" } | { value: T };
    const outcome = await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
      const repo = codesRepo(trx);
      const reserved: CodeRow[][] = [];
      for (const i of lockOrder) {
        const t = targets[i]!;
        reserved[i] = await repo.reserveCodeAttempts(t.poolId, t.kind, t.target, checks[i]!.channels, now);
      }
      const matched = new Set<string>();
      for (let i = 0; i < checks.length; i++) {
        const verdict = await judge(
          repo,
          targets[i]!,
          checks[i]!.channels,
          reserved[i]!,
          checks[i]!.code,
          now,
        );
        if ("failure" in verdict) {
          // Committed with only this code's attempt: those before it were right, those after unchecked.
          await repo.releaseCodeAttempts(
            reserved.flatMap((rows, k) => (k === i ? [] : rows.map((r) => r.id))),
          );
          return { failure: verdict.failure };
        }
        matched.add(verdict.match.id);
      }
      await repo.releaseCodeAttempts(reserved.flat().flatMap((r) => (matched.has(r.id) ? [] : [r.id])));
      if ((await repo.spendReservedCodes([...matched], now)) !== matched.size) {
        throw new ApiError("CODE_EXPIRED");
      }
      return { value: await work(repositories(trx), trx) };
    });
    if ("failure" in outcome) throw new ApiError(outcome.failure);
    return outcome.value;
  }

  async function spendThen(checks: readonly CodeCheck[], steps: readonly Step[]): Promise<unknown[][]> {
    const now = clock.now();
    const targets = checks.map((c) => normaliseTarget(c.target));
    const all = await reserveCodeAttemptsOf(
      deps.db,
      targets.map((t, i) => ({ ...t, channels: checks[i]!.channels })),
      now,
    );
    const reserved = targets.map((t, i) =>
      all.filter(
        (r) =>
          r.pool_id === t.poolId &&
          r.kind === t.kind &&
          r.target === t.target &&
          checks[i]!.channels.includes(r.channel),
      ),
    );
    const ids = [...new Set(all.map((r) => r.id))];
    const matched = new Set<string>();
    for (let i = 0; i < checks.length; i++) {
      const verdict = await judge(
        repos.codes,
        targets[i]!,
        checks[i]!.channels,
        reserved[i]!,
        checks[i]!.code,
        now,
      );
      if ("failure" in verdict) {
        // Only this code's attempt stays counted: those before it were right, those after unchecked.
        const own = new Set(reserved[i]!.map((r) => r.id));
        await repos.codes.releaseCodeAttempts(ids.filter((id) => !own.has(id)));
        throw new ApiError(verdict.failure);
      }
      matched.add(verdict.match.id);
    }
    const unmatched = ids.filter((id) => !matched.has(id));
    const batch: Step[] = [repos.codes.spendReservedCodesStep([...matched], now)];
    if (unmatched.length > 0) batch.push(repos.codes.releaseCodeAttemptsStep(unmatched));
    const offset = batch.length;
    try {
      return (await allOrNothing(deps.db, [...batch, ...steps])).slice(offset);
    } catch (err) {
      // Nothing of the batch was kept: right guesses are no wrong tries. If the database is gone
      // the attempts stay counted, and the caller hears of the first failure, not this one.
      await repos.codes.releaseCodeAttempts(ids).catch(() => undefined);
      if (err instanceof StepFailed) {
        if (err.index < offset) throw new ApiError("CODE_EXPIRED");
        throw new StepFailed(err.index - offset);
      }
      throw err;
    }
  }

  async function consume(codes: readonly CheckedCode[], trx?: Executor): Promise<void> {
    const idList = [...new Set(codes.map((c) => c.id))];
    if (idList.length === 0) return;
    const now = clock.now();
    const spendAll = async (ex: Executor) => {
      const spent = await codesRepo(ex).consumeCodes(idList, now);
      // Throwing inside the transaction rolls back the codes spent so far: all or nothing.
      if (spent !== idList.length) throw new ApiError("CODE_EXPIRED");
    };
    if (trx || idList.length === 1) await spendAll(trx ?? deps.db);
    else await deps.db.transaction().execute(spendAll);
  }

  return {
    send,
    check,
    consume,
    spendWith,
    spendThen,
    async verifyAndConsume(target, channels, code, settings) {
      await consume([await check(target, channels, code, settings)]);
    },
  };
}

function compareTargets(a: CodeTarget, b: CodeTarget): number {
  const x = `${a.poolId}\0${a.kind}\0${a.target}`;
  const y = `${b.poolId}\0${b.kind}\0${b.target}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function bindingOf(row: { pool_id: string; kind: string; channel: string; target: string }): CodeBinding {
  return { poolId: row.pool_id, kind: row.kind, channel: row.channel, target: row.target };
}

function codeMessage(req: SendCodeRequest, code: string, ttlSeconds: number): OutgoingMessage {
  if (req.kind === "sms") {
    const { phone, phoneCountryCode } = splitE164(req.target);
    return {
      kind: "sms",
      to: req.target,
      phoneNumber: phone,
      phoneCountryCode,
      channel: req.channel,
      code,
      text: codeSmsText(req.channel, code, ttlSeconds, req.settings),
    };
  }
  return {
    kind: "email",
    to: req.target,
    channel: req.channel,
    code,
    ...codeEmail(req.channel, code, ttlSeconds, req.settings),
  };
}
