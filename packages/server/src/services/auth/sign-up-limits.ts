import type { Config } from "../../config.js";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { ipRateKey } from "../../lib/ip-key.js";
import type { Bucket, CounterStore } from "../codes/counter-store.js";
import type { AppScope } from "./scope.js";

const HOUR_MS = 3_600_000;

export interface SignUpLimitsDeps {
  /** The code engine's shared counters: Redis when configured, so the caps hold across nodes. */
  counters: CounterStore;
  clock: Clock;
  config: Pick<Config, "signUpIpHourlyLimit" | "signUpPoolHourlyLimit">;
}

/**
 * Hourly caps on self-service account creation, per client IP (an IPv6 /64) and per pool
 * (docs/behaviour-and-errors.md §1.6). Sign-up and sign-in's autoRegister take one hit each
 * before any hashing or writing; over a cap they answer 429/1002 and create nothing.
 */
export function createSignUpLimits({ counters, clock, config }: SignUpLimitsDeps) {
  return {
    async take(s: AppScope, ip: string | null): Promise<void> {
      const poolId = s.pool.id;
      // Narrow to wide, taken all or none: a refused IP costs the pool's count nothing.
      const buckets: Bucket[] = [
        {
          key: `signup-ip-hour:${poolId}:${ipRateKey(ip ?? "unknown")}`,
          limit: s.settings.registerIpHourlyLimit || config.signUpIpHourlyLimit,
          windowMs: HOUR_MS,
        },
        {
          key: `signup-pool-hour:${poolId}`,
          limit: s.settings.registerPoolHourlyLimit || config.signUpPoolHourlyLimit,
          windowMs: HOUR_MS,
        },
      ];
      if ((await counters.take(buckets, clock.now())) !== undefined)
        throw new ApiError("SIGN_UP_RATE_LIMITED");
    },
  };
}
export type SignUpLimits = ReturnType<typeof createSignUpLimits>;
