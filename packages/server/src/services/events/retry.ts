/** GenAuth's WebhookRetryConfigV3Dto. */
export interface RetryConfig {
  enabled: boolean;
  count?: number;
  delay?: number;
  delayUnit?: "Second" | "Minute" | "Hour" | "Day";
}

const UNIT_MS = { Second: 1_000, Minute: 60_000, Hour: 3_600_000, Day: 86_400_000 } as const;

/** Without a retryConfig: 10 attempts, the waits growing ×3 from 10 s, none over 8 h — about 17 h in all. */
const DEFAULT_ATTEMPTS = 10;
const DEFAULT_FIRST_WAIT_MS = 10_000;
const GROWTH = 3;
const MAX_WAIT_MS = 8 * 3_600_000;
export const MAX_RETRY_COUNT = 20;

/** How many attempts a delivery gets in all (docs/events.md#retries). */
export function attemptsAllowed(config: RetryConfig | null): number {
  if (!config) return DEFAULT_ATTEMPTS;
  if (!config.enabled) return 1;
  return 1 + Math.min(config.count ?? DEFAULT_ATTEMPTS - 1, MAX_RETRY_COUNT);
}

/**
 * The wait before attempt `next` (2 = the first retry): exponential from the configured delay,
 * with ±20% jitter so the retries of many deliveries failed at once do not arrive together.
 */
export function retryWaitMs(
  config: RetryConfig | null,
  next: number,
  random: () => number = Math.random,
): number {
  const first =
    config?.enabled && config.delay !== undefined
      ? config.delay * UNIT_MS[config.delayUnit ?? "Second"]
      : DEFAULT_FIRST_WAIT_MS;
  const base = Math.min(first * GROWTH ** Math.max(0, next - 2), MAX_WAIT_MS);
  return Math.round(base * (0.8 + 0.4 * random()));
}
