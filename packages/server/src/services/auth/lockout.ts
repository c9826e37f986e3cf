import type { PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { ipRateKey } from "../../lib/ip-key.js";
import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { Repositories } from "../../storage/repos/index.js";

/**
 * The narrow counter store behind lockout: the database, or Redis when one is configured.
 * `hit` counts atomically and returns the new count; a counter reaching `limit` restarts its
 * window once; `release` gives one count back.
 */
export interface LoginCounterStore {
  hit(
    key: string,
    windowMs: number,
    limit: number,
    now: number,
  ): Promise<{ count: number; expiresAt: number }>;
  release(key: string, now: number): Promise<void>;
  read(key: string, now: number): Promise<{ count: number; expiresAt: number }>;
  clear(key: string): Promise<void>;
  /** Several counters hit at once (one round trip): only a store in the database has this. */
  hitAll?(
    hits: readonly { key: string; windowMs: number; limit: number }[],
    now: number,
  ): Promise<{ count: number; expiresAt: number }[]>;
  /** `clear` and `release` as steps of a caller's all-or-nothing batch: only a store in the database has this. */
  steps?: { clear(key: string): Step; release(key: string, now: number): Step };
}

export function dbLoginCounterStore(repos: Repositories): LoginCounterStore {
  return {
    hit: (key, windowMs, limit, now) => repos.loginCounters.hitLoginCounter(key, windowMs, limit, now),
    release: (key, now) => repos.loginCounters.releaseLoginCounter(key, now),
    read: (key, now) => repos.loginCounters.readLoginCounter(key, now),
    clear: (key) => repos.loginCounters.clearLoginCounter(key),
    hitAll: (hits, now) => repos.loginCounters.hitLoginCounters(hits, now),
    steps: {
      clear: (key) => repos.loginCounters.clearLoginCounterStep(key),
      release: (key, now) => repos.loginCounters.releaseLoginCounterStep(key, now),
    },
  };
}

/** A password attempt counted in advance; settle it with `succeeded` or `failed`. */
export interface Reservation {
  accountKey?: string;
  ipKey?: string;
  /** Tries the account has left if this attempt fails (undefined when account lockout is off). */
  remainCount?: number;
}

/** `account`: `user:<id>` for a known user, else `id:<normalised identifier>`. */
export function loginAccountKey(poolId: string, account: string): string {
  return `login-acct:${poolId}:${account}`;
}

/** The IP's network, as every per-IP limit counts it (an IPv6 /64, lib/ip-key.ts). */
export function loginIpKey(poolId: string, ip: string): string {
  return `login-ip:${poolId}:${ipRateKey(ip)}`;
}

export interface LoginGuardDeps {
  store: LoginCounterStore;
  clock: Clock;
}

/**
 * Brute-force protection from `settings.loginAnomalyDetection` (docs/behaviour-and-errors.md
 * §4.4): N failed passwords for one account, or M failed sign-ins from one IP, inside the window
 * lock further attempts (403/2057) for a full window. Each password attempt is counted *before*
 * the password is checked and given back when it succeeds, so parallel guesses cannot slip past
 * the limit. Unknown accounts are counted by the identifier typed and lock exactly like real ones.
 */
export function createLoginGuard({ store, clock }: LoginGuardDeps) {
  async function giveBack(r: Reservation, now: number): Promise<void> {
    await Promise.all([
      r.accountKey ? store.release(r.accountKey, now) : undefined,
      r.ipKey ? store.release(r.ipKey, now) : undefined,
    ]);
  }

  return {
    /** Counts a password attempt up front; throws ACCOUNT_LOCKED_FAILURES when over a limit. */
    async reserve(settings: PoolSettings, accountKey: string, ipKey: string): Promise<Reservation> {
      const { accountLockLoginPasswordFailCheck: acct, loginFailCheck: ip } = settings.loginAnomalyDetection;
      const now = clock.now();
      const accountHit = { key: accountKey, windowMs: acct.timeInterval * 1000, limit: acct.limit };
      const ipHit = { key: ipKey, windowMs: ip.timeInterval * 1000, limit: ip.limit };
      const [a, i] =
        acct.enabled && ip.enabled && store.hitAll
          ? await store.hitAll([accountHit, ipHit], now)
          : await Promise.all([
              acct.enabled ? store.hit(accountKey, accountHit.windowMs, acct.limit, now) : undefined,
              ip.enabled ? store.hit(ipKey, ipHit.windowMs, ip.limit, now) : undefined,
            ]);
      const reservation: Reservation = {
        accountKey: a ? accountKey : undefined,
        ipKey: i ? ipKey : undefined,
        remainCount: a ? Math.max(0, acct.limit - a.count) : undefined,
      };
      if ((a && a.count > acct.limit) || (i && i.count > ip.limit)) {
        // Refused unchecked: this attempt is not a failure, give the counts back.
        await giveBack(reservation, now);
        throw new ApiError("ACCOUNT_LOCKED_FAILURES");
      }
      return reservation;
    },

    /**
     * Whether `succeeded` can take part in a database transaction (the counters live in the same
     * database). A Redis store cannot: nothing is called out to inside a transaction.
     */
    settlesInTransaction: store.steps !== undefined,

    /** The password was right: the account starts afresh, the IP gets its count back. */
    async succeeded(r: Reservation): Promise<void> {
      const now = clock.now();
      await Promise.all([
        r.accountKey ? store.clear(r.accountKey) : undefined,
        r.ipKey ? store.release(r.ipKey, now) : undefined,
      ]);
    },

    /**
     * `succeeded` as steps of the login's all-or-nothing batch (only when `settlesInTransaction`):
     * a login that is not kept leaves the attempt counted.
     */
    succeededSteps(r: Reservation): Step[] {
      const steps = store.steps;
      if (!steps) throw new Error("this counter store cannot settle inside a batch");
      const now = clock.now();
      return [
        ...(r.accountKey ? [steps.clear(r.accountKey)] : []),
        ...(r.ipKey ? [steps.release(r.ipKey, now)] : []),
      ];
    },

    /** Read-only check for sign-ins that are not password guesses (passcodes). */
    async assertNotLocked(settings: PoolSettings, accountKey: string, ipKey: string): Promise<void> {
      const { accountLockLoginPasswordFailCheck: acct, loginFailCheck: ip } = settings.loginAnomalyDetection;
      const now = clock.now();
      const [a, i] = await Promise.all([
        acct.enabled ? store.read(accountKey, now) : undefined,
        ip.enabled ? store.read(ipKey, now) : undefined,
      ]);
      if ((a && a.count >= acct.limit) || (i && i.count >= ip.limit))
        throw new ApiError("ACCOUNT_LOCKED_FAILURES");
    },

    /** A failed sign-in that is not a password guess (a wrong code) still counts for the IP. */
    async recordIpFailure(settings: PoolSettings, ipKey: string): Promise<void> {
      const { loginFailCheck: ip } = settings.loginAnomalyDetection;
      if (ip.enabled) await store.hit(ipKey, ip.timeInterval * 1000, ip.limit, clock.now());
    },

    /** Admin unlock (management API): clears the user's failure counter. */
    async unlockUser(poolId: string, userId: string): Promise<void> {
      await store.clear(loginAccountKey(poolId, `user:${userId}`));
    },
  };
}

/** What callers hold: `ctx.loginGuard`. */
export type LoginGuard = ReturnType<typeof createLoginGuard>;
