import type { PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { ipRateKey } from "../../lib/ip-key.js";
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
  /** The same counters through a caller's transaction: only a store in the database has this. */
  within?(tx: Repositories): LoginCounterStore;
}

export function dbLoginCounterStore(repos: Repositories): LoginCounterStore {
  return {
    hit: (key, windowMs, limit, now) => repos.loginCounters.hitLoginCounter(key, windowMs, limit, now),
    release: (key, now) => repos.loginCounters.releaseLoginCounter(key, now),
    read: (key, now) => repos.loginCounters.readLoginCounter(key, now),
    clear: (key) => repos.loginCounters.clearLoginCounter(key),
    within: (tx) => dbLoginCounterStore(tx),
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
      const [a, i] = await Promise.all([
        acct.enabled ? store.hit(accountKey, acct.timeInterval * 1000, acct.limit, now) : undefined,
        ip.enabled ? store.hit(ipKey, ip.timeInterval * 1000, ip.limit, now) : undefined,
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
    settlesInTransaction: store.within !== undefined,

    /**
     * The password was right: the account starts afresh, the IP gets its count back. With `tx`
     * (only when `settlesInTransaction`), as part of that transaction: a login that does not
     * commit leaves the attempt counted.
     */
    async succeeded(r: Reservation, tx?: Repositories): Promise<void> {
      const counters = tx && store.within ? store.within(tx) : store;
      const now = clock.now();
      await Promise.all([
        r.accountKey ? counters.clear(r.accountKey) : undefined,
        r.ipKey ? counters.release(r.ipKey, now) : undefined,
      ]);
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
