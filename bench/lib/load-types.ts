/** What the orchestrator asks the load-generator process to do (JSON across the process boundary). */

export interface RequestSpec {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * How requests are produced.
 * - fixed: the same request every time.
 * - rotate: round-robin over `requests` (e.g. one token per user), reusable.
 * - unique: `{n}` in path/body becomes `prefix` + a counter never used before in this run,
 *   zero-padded to `pad` digits (sign-up emails, send-sms phone numbers).
 * - once: each request is sent at most once; the run stops when they are used up.
 * - chain: a pool of values (refresh tokens); `{value}` takes one from the pool, the response's
 *   `capture` field (a dotted path) puts the new value back.
 * - pair: two steps per item; step one is `first[i]` (each used once), step two is `second`
 *   with `{captured}` replaced by the `capture` field of step one's answer and step one's headers.
 *   Pairs with the same authorization header (one caller) never overlap.
 * - code-flow: a signed-in browser's authorization-code round. Step one is `authorize[i]`
 *   (round-robin; each carries its browser's cookie) and must answer a redirect whose `Location`
 *   holds a `code`; step two is `token` with `{code}` in its body replaced by that code. Set
 *   `redirectsOk` on the job: step one's redirect is its success.
 * - totp: users with an authenticator secret (docs/mfa.md §TOTP). `{totp}` in a body becomes the
 *   current code of the user sent, computed when the request is sent. A code is accepted once per
 *   30-second step and user, so a user is sent at most once per step and never while in flight;
 *   when every user has had the current step the run stops (like `once`), so prepare enough.
 *   Without `second`, `users[i].request` carries the code. With `second`, it is step one (a password
 *   sign-in answering the MFA step) and `second.request` step two: `{captured}` in its headers and
 *   body becomes step one's `second.capture` field, `{totp}` the code; step one without that field
 *   and step two without `second.expect` count as body errors (set no job-level `expect`).
 */
export interface TotpUser {
  /** The authenticator secret, base32. */
  secret: string;
  request: RequestSpec;
}
export type Plan =
  | { kind: "fixed"; request: RequestSpec }
  | { kind: "rotate"; requests: RequestSpec[] }
  | { kind: "unique"; request: RequestSpec; prefix: string; pad?: number }
  | { kind: "once"; requests: RequestSpec[] }
  | { kind: "chain"; request: RequestSpec; seeds: string[]; capture: string }
  | { kind: "pair"; first: RequestSpec[]; second: RequestSpec; capture: string }
  | { kind: "code-flow"; authorize: RequestSpec[]; token: RequestSpec }
  | {
      kind: "totp";
      users: TotpUser[];
      second?: { request: RequestSpec; capture: string; expect: string };
    };

/**
 * One continuous load: `warmupSec`, then `windows` consecutive measured windows of `durationSec`
 * each. Connections stay busy across windows, so slow requests (seconds each at 50 connections)
 * are measured at steady state instead of from a cold start.
 */
export interface LoadJob {
  url: string;
  plan: Plan;
  connections: number;
  warmupSec: number;
  windows: number;
  durationSec: number;
  /** Cap on requests per second over all connections (latency-at-load runs). */
  overallRate?: number;
  /**
   * A substring every successful body contains; answers without it count as errors
   * (`"statusCode":200` for /api/v3, whose errors are HTTP 200 envelopes).
   */
  expect?: string;
  /** A 3xx answer counts as a success (the authorization endpoint's redirect). */
  redirectsOk?: boolean;
}

export interface WindowResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Answers without the `expect` substring (for /api/v3: envelope statusCode ≠ 200). */
  bodyErrors: number;
}

export interface LoadResult {
  windows: WindowResult[];
  /** Socket errors and timeouts over the whole load. */
  errors: number;
  /** The once/pair items ran out before the end. */
  exhausted: boolean;
  /** Every answer received, and the seconds from start to the end (or to running out). */
  answered: number;
  elapsedSec: number;
  /** A few distinct failing answers, to make errors explainable. */
  samples: string[];
}
