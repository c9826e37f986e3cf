import { createHmac } from "node:crypto";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId, randomBase64url } from "../../lib/ids.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { WebauthnChallengeRow } from "../../storage/repos/webauthn.js";

/** A ceremony must finish within five minutes of its options. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Rows a day past expiry are swept on the first issue and every PURGE_EVERY-th after. */
const KEEP_EXPIRED_MS = 86_400_000;
const PURGE_EVERY = 200;

export type CeremonyPurpose = "registration" | "authentication";

export interface IssueChallenge {
  poolId: string;
  purpose: CeremonyPurpose;
  /** registration: the user the credential will belong to. */
  userId?: string;
  /** What else the ceremony is bound to (`interaction:<uid>`). */
  binding?: string;
  /** Put before the random part, so a route can tell the ticket's ceremony (`mfa.`). */
  ticketPrefix?: string;
}

export interface SpendChallenge {
  poolId: string;
  purpose: CeremonyPurpose;
  ticket: string;
  userId?: string;
  binding?: string;
}

/**
 * The challenges of WebAuthn ceremonies, like flow tokens (docs/architecture.md, habit 8): the
 * caller gets a ticket of 256 random bits, only its HMAC is stored with the challenge; spending it
 * is one `UPDATE … WHERE consumed_at IS NULL AND expires_at > now`, so a ticket verifies at most one
 * response, on any node. A ticket of another user, another binding or another purpose is refused
 * like an unknown one (and is spent: it was handed out for one ceremony only).
 */
export function createChallenges({ secret, clock }: { secret: string; clock: Clock }) {
  const hash = (ticket: string) =>
    createHmac("sha256", secret).update(`webauthn-ticket:${ticket}`).digest("hex");
  let issued = 0;
  return {
    async issue(repos: Repositories, input: IssueChallenge): Promise<{ ticket: string; challenge: string }> {
      const now = clock.now();
      const ticket = `${input.ticketPrefix ?? ""}${randomBase64url(32)}`;
      const challenge = randomBase64url(32);
      const row: WebauthnChallengeRow = {
        id: newId(),
        pool_id: input.poolId,
        ticket_hash: hash(ticket),
        purpose: input.purpose,
        user_id: input.userId ?? null,
        binding: input.binding ?? null,
        challenge,
        expires_at: now + CHALLENGE_TTL_MS,
        consumed_at: null,
        created_at: now,
      };
      await repos.webauthn.insertChallenge(row);
      if (++issued % PURGE_EVERY === 1)
        await repos.webauthn.deleteChallengesExpiredBefore(now - KEEP_EXPIRED_MS);
      return { ticket, challenge };
    },

    /** The challenge the ticket was issued with; WEBAUTHN_TICKET_INVALID otherwise. */
    async spend(repos: Repositories, input: SpendChallenge): Promise<string> {
      const row = await repos.webauthn.consumeChallenge(
        { ticketHash: hash(input.ticket), purpose: input.purpose, poolId: input.poolId },
        clock.now(),
      );
      if (!row) throw new ApiError("WEBAUTHN_TICKET_INVALID");
      if ((row.user_id ?? undefined) !== input.userId || (row.binding ?? undefined) !== input.binding)
        throw new ApiError("WEBAUTHN_TICKET_INVALID");
      return row.challenge;
    },
  };
}
export type Challenges = ReturnType<typeof createChallenges>;
