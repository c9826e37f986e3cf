import type { AuthenticationCredential } from "@gatehouse/protocol";
import type { verifyAuthenticationResponse } from "@simplewebauthn/server";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { OutsideProof } from "../auth/index.js";
import { CHALLENGE_TTL_MS, type Challenges } from "./challenges.js";
import {
  assertCounterMoves,
  assertUserHandleMatches,
  challengeBytes,
  libraryCredential,
  verified,
  webauthnLibrary,
} from "./checks.js";
import type { RelyingParty } from "./relying-party.js";

export interface AuthenticationDeps {
  repos: Repositories;
  challenges: Challenges;
  rp: RelyingParty;
  clock: Clock;
}

export interface PasskeyAssertion {
  poolId: string;
  ticket: string;
  credential: AuthenticationCredential;
  /** The hosted pages bind the ceremony to their interaction (`interaction:<uid>`). */
  binding?: string;
  /** A second factor: the user who passed the first; only their passkeys, only their tickets. */
  userId?: string;
}

/** What a checked assertion proved, read once `check()` has passed. */
export interface PasskeyProof extends OutsideProof {
  userVerified(): boolean;
}

/**
 * Signing in with a passkey (docs/passkeys.md §Sign-in): options for a discoverable credential
 * (no account typed), then the assertion as a proof that the sign-in module checks inside its own
 * rules (lockout first, history, the ending).
 */
export function createAuthentication({ repos, challenges, rp, clock }: AuthenticationDeps) {
  return {
    /** Options for any passkey of the pool, or — `userId` given, a second factor — for that user's. */
    async start(poolId: string, binding?: string, userId?: string, ticketPrefix?: string) {
      const { ticket, challenge } = await challenges.issue(repos, {
        poolId,
        purpose: "authentication",
        binding,
        userId,
        ticketPrefix,
      });
      const mine = userId ? await repos.webauthn.listUserCredentials(poolId, userId) : [];
      const { generateAuthenticationOptions } = await webauthnLibrary();
      const authenticationOptions = await generateAuthenticationOptions({
        rpID: rp.id,
        challenge: challengeBytes(challenge),
        timeout: CHALLENGE_TTL_MS,
        userVerification: "preferred",
        allowCredentials: mine.map((c) => ({
          id: c.credential_id,
          transports: JSON.parse(c.transports) as [],
        })),
      });
      return { authenticationOptions, ticket };
    },

    /** The assertion as a proof; nothing is checked or spent until the sign-in calls `check`. */
    async proof(input: PasskeyAssertion): Promise<PasskeyProof> {
      const found = await repos.webauthn.findCredentialByCredentialId(input.poolId, input.credential.id);
      const row = input.userId === undefined || found?.user_id === input.userId ? found : undefined;
      let userVerified = false;
      return {
        method: "webauthn",
        userId: row?.user_id,
        unknown: () => new ApiError("PASSKEY_UNKNOWN"),
        reasonOf: (err) => (err.key === "WEBAUTHN_TICKET_INVALID" ? "ticket_invalid" : "wrong_passkey"),
        userVerified: () => userVerified,
        async check() {
          if (!row) throw new ApiError("PASSKEY_UNKNOWN");
          const expectedChallenge = await challenges.spend(repos, {
            poolId: input.poolId,
            purpose: "authentication",
            ticket: input.ticket,
            binding: input.binding,
            userId: input.userId,
          });
          assertUserHandleMatches(input.credential.response.userHandle, row);
          const stored = Number(row.counter);
          const lib = await webauthnLibrary();
          const { authenticationInfo: info } = await verified(() =>
            lib.verifyAuthenticationResponse({
              response: input.credential as Parameters<typeof verifyAuthenticationResponse>[0]["response"],
              expectedChallenge,
              expectedOrigin: rp.origins,
              expectedRPID: rp.id,
              credential: libraryCredential(row),
              requireUserVerification: false,
            }),
          );
          assertCounterMoves(stored, info.newCounter);
          const moved = await repos.webauthn.recordCredentialUse(
            row.id,
            stored,
            info.newCounter,
            info.credentialBackedUp,
            clock.now(),
          );
          // Another use of this credential moved the counter meanwhile: this one is the older.
          if (!moved) throw new ApiError("WEBAUTHN_RESPONSE_INVALID");
          userVerified = info.userVerified;
        },
      };
    },
  };
}
