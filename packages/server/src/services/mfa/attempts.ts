import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { LoginCounterStore } from "../auth/lockout.js";

/** Wrong second-factor codes a user may type, of all factors together, before MFA locks. */
export const MFA_ATTEMPT_LIMIT = 5;
/** The window the wrong codes are counted in, and how long the lock lasts. */
export const MFA_LOCK_WINDOW_MS = 15 * 60_000;

/**
 * One per-user counter for every factor (docs/mfa.md §Attempts). A code the server can judge in
 * memory (TOTP, recovery) is admitted by reading the counter, and only a wrong one is counted; a
 * code judged in the database (SMS, email) is counted before it is checked and the count is given
 * back when it was right. Either way no code is accepted past the limit, in parallel or not.
 */
export function createMfaAttempts({ store, clock }: { store: LoginCounterStore; clock: Clock }) {
  const key = (poolId: string, userId: string) => `mfa-attempts:${poolId}:${userId}`;
  /** The verdict on a count read just now: MFA_LOCKED at the limit, else what a right code clears. */
  function admitCount(poolId: string, userId: string, count: number): AdmittedAttempt {
    const k = key(poolId, userId);
    if (count >= MFA_ATTEMPT_LIMIT) throw new ApiError("MFA_LOCKED");
    const clears = count > 0;
    const inBatch = clears && store.steps ? [store.steps.clear(k)] : [];
    return {
      clearSteps: inBatch,
      afterCommit: async () => {
        if (clears && inBatch.length === 0) await store.clear(k);
      },
    };
  }
  return {
    /** Counts one attempt now (committed before the code is looked at); throws MFA_LOCKED over the limit. */
    async reserve(poolId: string, userId: string): Promise<MfaAttempt> {
      const k = key(poolId, userId);
      const now = clock.now();
      const hit = await store.hit(k, MFA_LOCK_WINDOW_MS, MFA_ATTEMPT_LIMIT, now);
      if (hit.count > MFA_ATTEMPT_LIMIT) {
        await store.release(k, now);
        throw new ApiError("MFA_LOCKED");
      }
      return { succeeded: () => store.clear(k) };
    },
    /**
     * Whether the user may try a code now, counting nothing (throws MFA_LOCKED at the limit): a right
     * code then needs no count, a wrong one is counted with `reserve` before it is answered.
     */
    async admit(poolId: string, userId: string): Promise<AdmittedAttempt> {
      const { count } = await store.read(key(poolId, userId), clock.now());
      return admitCount(poolId, userId, count);
    },
    /**
     * The counter's key when the store is the database, so a caller may read the count with its own
     * row in one statement and pass it to `admitCount`; undefined for Redis.
     */
    keyInDatabase: (poolId: string, userId: string): string | undefined =>
      store.steps ? key(poolId, userId) : undefined,
    /** `admit` with a count the caller read itself (under `keyInDatabase`, at `clock.now()`). */
    admitCount,
    /** Admin reset of a user's factors also lifts the lock. */
    clear: (poolId: string, userId: string) => store.clear(key(poolId, userId)),
  };
}
export type MfaAttempts = ReturnType<typeof createMfaAttempts>;

/** A counted attempt: a right code clears the counter after the verification commits. */
export interface MfaAttempt {
  succeeded(): Promise<void>;
}

/**
 * An attempt admitted under the limit: a right code clears the earlier wrong ones' count, when there
 * is one — in the verification's own batch when the counter is in the database, else after it.
 */
export interface AdmittedAttempt {
  clearSteps: Step[];
  afterCommit(): Promise<void>;
}
