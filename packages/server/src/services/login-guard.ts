import type { PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../http/api-error.js";
import type { Repositories } from "../storage/repos/index.js";
import type { Clock } from "./clock.js";

/**
 * The narrow counter store behind lockout: the database today, Redis with issue 8.
 * `hit` counts one failure atomically; a counter reaching `limit` restarts its window.
 */
export interface LoginCounterStore {
  hit(
    key: string,
    windowMs: number,
    limit: number,
    now: number,
  ): Promise<{ count: number; expiresAt: number }>;
  read(key: string, now: number): Promise<{ count: number; expiresAt: number }>;
  clear(key: string): Promise<void>;
}

export function dbLoginCounterStore(repos: Repositories): LoginCounterStore {
  return {
    hit: (key, windowMs, limit, now) => repos.hitLoginCounter(key, windowMs, limit, now),
    read: (key, now) => repos.readLoginCounter(key, now),
    clear: (key) => repos.clearLoginCounter(key),
  };
}

/**
 * Brute-force protection from `settings.loginAnomalyDetection` (behaviour-and-errors §4.4): N
 * failed passwords for one account, or M failed sign-ins from one IP, inside the window lock
 * further attempts (403/2057) for a full window. Unknown accounts are counted by the identifier
 * typed, so they lock exactly like real ones (no enumeration).
 */
export class LoginGuard {
  constructor(
    private readonly store: LoginCounterStore,
    private readonly clock: Clock,
  ) {}

  /** `account`: `user:<id>` for a known user, else `id:<normalised identifier>`. */
  static accountKey(poolId: string, account: string): string {
    return `acct:${poolId}:${account}`;
  }

  static ipKey(poolId: string, ip: string): string {
    return `ip:${poolId}:${ip}`;
  }

  async assertNotLocked(
    settings: PoolSettings,
    accountKey: string | undefined,
    ipKey: string,
  ): Promise<void> {
    const { accountLockLoginPasswordFailCheck: acct, loginFailCheck: ip } = settings.loginAnomalyDetection;
    const now = this.clock.now();
    const [a, i] = await Promise.all([
      acct.enabled && accountKey ? this.store.read(accountKey, now) : undefined,
      ip.enabled ? this.store.read(ipKey, now) : undefined,
    ]);
    if ((a && a.count >= acct.limit) || (i && i.count >= ip.limit))
      throw new ApiError("ACCOUNT_LOCKED_FAILURES");
  }

  /** Counts a failure; returns the tries the account has left (undefined when account lockout is off). */
  async recordFailure(
    settings: PoolSettings,
    accountKey: string | undefined,
    ipKey: string,
  ): Promise<number | undefined> {
    const { accountLockLoginPasswordFailCheck: acct, loginFailCheck: ip } = settings.loginAnomalyDetection;
    const now = this.clock.now();
    const [a] = await Promise.all([
      acct.enabled && accountKey
        ? this.store.hit(accountKey, acct.timeInterval * 1000, acct.limit, now)
        : undefined,
      ip.enabled ? this.store.hit(ipKey, ip.timeInterval * 1000, ip.limit, now) : undefined,
    ]);
    return a ? Math.max(0, acct.limit - a.count) : undefined;
  }

  async recordSuccess(accountKey: string): Promise<void> {
    await this.store.clear(accountKey);
  }

  /** Admin unlock (management API): clears the user's failure counter. */
  async unlockUser(poolId: string, userId: string): Promise<void> {
    await this.store.clear(LoginGuard.accountKey(poolId, `user:${userId}`));
  }
}
