import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { LoginCounterStore } from "../auth/lockout.js";

/** Wrong second-factor codes a user may type, of all factors together, before MFA locks. */
export const MFA_ATTEMPT_LIMIT = 5;
/** The window the wrong codes are counted in, and how long the lock lasts. */
export const MFA_LOCK_WINDOW_MS = 15 * 60_000;

/**
 * One per-user counter for every factor (docs/mfa.md §Attempts): an attempt is counted before the
 * code is checked and given back when it was right, so parallel guesses cannot pass the limit.
 */
export function createMfaAttempts({ store, clock }: { store: LoginCounterStore; clock: Clock }) {
  const key = (poolId: string, userId: string) => `mfa-attempts:${poolId}:${userId}`;
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
    /** Admin reset of a user's factors also lifts the lock. */
    clear: (poolId: string, userId: string) => store.clear(key(poolId, userId)),
  };
}
export type MfaAttempts = ReturnType<typeof createMfaAttempts>;

/** A counted attempt: a right code clears the counter after the verification commits. */
export interface MfaAttempt {
  succeeded(): Promise<void>;
}
