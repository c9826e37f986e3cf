import { createHmac } from "node:crypto";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId, randomBase64url } from "../../lib/ids.js";
import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { Repositories } from "../../storage/repos/index.js";

/**
 * One-time flow tokens: step 1 of a two-step flow (verify-update-phone-request …) proves
 * possession and gets a token; step 2 spends it (docs/architecture.md, habit 8). The token is 256 random bits;
 * only its HMAC-SHA256 (keyed with the server secret) is stored, so a database leak yields
 * nothing spendable. It is bound to purpose, pool, user and the exact values it was issued for.
 */
export type FlowPurpose =
  | "update_phone"
  | "update_email"
  | "reset_password"
  | "delete_account"
  | "mfa_enroll";

export interface IssueFlowToken<P> {
  purpose: FlowPurpose;
  poolId: string;
  userId: string;
  payload: P;
  ttlSeconds: number;
  /** A token the caller derived (HMAC of a secret and a one-time value); default: 256 random bits. */
  token?: string;
}

export interface SpendFlowToken {
  purpose: FlowPurpose;
  poolId: string;
  /** The signed-in user; omitted only by the anonymous reset-password step. */
  userId?: string;
  token: string;
}

export interface SpentFlowToken<P> {
  userId: string;
  payload: P;
}

/** Rows a day past expiry are of no use to anyone: swept on the first issue and every PURGE_EVERY-th after. */
const KEEP_EXPIRED_MS = 86_400_000;
const PURGE_EVERY = 200;

export function createFlowTokens({ secret, clock }: { secret: string; clock: Clock }) {
  const hash = (token: string) => createHmac("sha256", secret).update(`flow-token:${token}`).digest("hex");
  let issued = 0;

  return {
    /** Issues a token inside the caller's transaction (with the codes it consumes). */
    async issue<P>(
      repos: Repositories,
      input: IssueFlowToken<P>,
    ): Promise<{ token: string; expiresIn: number }> {
      const now = clock.now();
      const token = input.token ?? randomBase64url(32);
      await repos.flowTokens.retireFlowTokens(input.userId, input.purpose, now);
      // A derived token issued again replaces its earlier row (the hash is unique).
      if (input.token) await repos.flowTokens.deleteFlowTokenByHash(hash(token));
      await repos.flowTokens.insertFlowToken({
        id: newId(),
        pool_id: input.poolId,
        user_id: input.userId,
        purpose: input.purpose,
        token_hash: hash(token),
        payload: JSON.stringify(input.payload),
        expires_at: now + input.ttlSeconds * 1000,
        consumed_at: null,
        created_at: now,
      });
      if (++issued % PURGE_EVERY === 1)
        await repos.flowTokens.deleteFlowTokensExpiredBefore(now - KEEP_EXPIRED_MS);
      return { token, expiresIn: input.ttlSeconds };
    },

    /**
     * `issue` as steps of the caller's all-or-nothing batch (storage/repos/all-or-nothing.ts):
     * older tokens retired, the new one stored. The token is only good once the batch is kept.
     */
    issueSteps<P>(
      repos: Repositories,
      input: IssueFlowToken<P>,
    ): { steps: Step[]; token: string; expiresIn: number } {
      const now = clock.now();
      const token = randomBase64url(32);
      const steps = repos.flowTokens.replaceFlowTokenSteps({
        id: newId(),
        pool_id: input.poolId,
        user_id: input.userId,
        purpose: input.purpose,
        token_hash: hash(token),
        payload: JSON.stringify(input.payload),
        expires_at: now + input.ttlSeconds * 1000,
        consumed_at: null,
        created_at: now,
      });
      return { steps, token, expiresIn: input.ttlSeconds };
    },

    /** Sweeps rows a day past expiry, on the first and every PURGE_EVERY-th call after (after issueSteps' batch). */
    async sweepNow(repos: Repositories): Promise<void> {
      if (++issued % PURGE_EVERY === 1)
        await repos.flowTokens.deleteFlowTokensExpiredBefore(clock.now() - KEEP_EXPIRED_MS);
    },

    /**
     * A signed-in user's live token, read without spending it, and the step that spends it in
     * the caller's all-or-nothing batch — which fails (and undoes the batch) if another request
     * spent it first. Unknown, expired, used, foreign → 400/2207, as `spend`.
     */
    async peek<P>(
      repos: Repositories,
      input: SpendFlowToken & { userId: string },
    ): Promise<SpentFlowToken<P> & { spend: Step }> {
      const key = {
        tokenHash: hash(input.token),
        purpose: input.purpose,
        poolId: input.poolId,
        userId: input.userId,
      };
      const now = clock.now();
      const row = await repos.flowTokens.findLiveFlowToken(key, now);
      if (!row) throw new ApiError("FLOW_TOKEN_INVALID");
      return {
        userId: row.user_id,
        payload: JSON.parse(row.payload) as P,
        spend: repos.flowTokens.consumeUserFlowTokenStep(key, now),
      };
    },

    /** Throws FLOW_TOKEN_INVALID unless the token is live now; spends nothing. */
    async assertLive(repos: Repositories, input: SpendFlowToken): Promise<void> {
      const live = await repos.flowTokens.findLiveFlowToken(
        { tokenHash: hash(input.token), purpose: input.purpose, poolId: input.poolId, userId: input.userId },
        clock.now(),
      );
      if (!live) throw new ApiError("FLOW_TOKEN_INVALID");
    },

    /**
     * Spends a token atomically (one winner among any number of parallel callers). Unknown,
     * expired, used, foreign (other user, pool or purpose) → 400/2207, indistinguishably.
     * Lookup is by keyed hash: the attacker controls neither side of that comparison, and a
     * malformed token is just another hash that matches no row (no shape check needed before it).
     */
    async spend<P>(repos: Repositories, input: SpendFlowToken): Promise<SpentFlowToken<P>> {
      const row = await repos.flowTokens.consumeFlowToken(
        { tokenHash: hash(input.token), purpose: input.purpose, poolId: input.poolId, userId: input.userId },
        clock.now(),
      );
      if (!row) throw new ApiError("FLOW_TOKEN_INVALID");
      return { userId: row.user_id, payload: JSON.parse(row.payload) as P };
    },
  };
}
export type FlowTokenService = ReturnType<typeof createFlowTokens>;
