import type { VerifyRegistrationDto } from "@gatehouse/protocol";
import type { verifyRegistrationResponse } from "@simplewebauthn/server";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { WebauthnCredentialRow } from "../../storage/repos/webauthn.js";
import { uniqueViolation } from "../../storage/unique-violation.js";
import { type Emit, withEvents } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import type { Challenges } from "./challenges.js";
import { CHALLENGE_TTL_MS } from "./challenges.js";
import { challengeBytes, userHandleOf, verified, webauthnLibrary } from "./checks.js";
import { toPasskeyDto } from "./dto.js";
import type { RelyingParty } from "./relying-party.js";

export interface PasskeyOwner {
  poolId: string;
  userId: string;
  /** The request acting for the owner: the origin of the passkey events (docs/events.md#the-outbox). */
  origin: EventOrigin;
}

export interface RegistrationDeps {
  repos: Repositories;
  challenges: Challenges;
  rp: RelyingParty;
  clock: Clock;
  emit: Emit;
}

/** The name a passkey gets when none is given. */
const DEFAULT_NAME = "Passkey";

/**
 * Adding a passkey to a signed-in user (docs/passkeys.md §Registration): options with a
 * challenge bound to the user, then the authenticator's answer verified against it, once.
 */
export function createRegistration({ repos, challenges, rp, clock, emit }: RegistrationDeps) {
  return {
    /** `binding`: what else the ceremony belongs to (the account page's session, a sign-in's interaction). */
    async start(owner: PasskeyOwner, binding?: string) {
      const user = await repos.users.findUserById(owner.poolId, owner.userId);
      if (!user) throw new ApiError("USER_NOT_FOUND");
      const pool = await repos.pools.findPoolById(owner.poolId);
      const existing = await repos.webauthn.listUserCredentials(owner.poolId, owner.userId);
      const { ticket, challenge } = await challenges.issue(repos, {
        poolId: owner.poolId,
        purpose: "registration",
        userId: owner.userId,
        binding,
      });
      const { generateRegistrationOptions } = await webauthnLibrary();
      const registrationOptions = await generateRegistrationOptions({
        rpName: pool?.name || "Gatehouse",
        rpID: rp.id,
        userID: new Uint8Array(Buffer.from(user.id, "utf8")),
        userName: user.email ?? user.phone ?? user.username ?? user.id,
        userDisplayName: user.nickname ?? user.name ?? user.username ?? user.email ?? "",
        challenge: challengeBytes(challenge),
        timeout: CHALLENGE_TTL_MS,
        attestationType: "none",
        // One passkey per authenticator: the browser says so instead of making a second one.
        excludeCredentials: existing.map((c) => ({
          id: c.credential_id,
          transports: JSON.parse(c.transports) as string[],
        })),
        // Discoverable, so that it signs in with no account typed; user verification when it can.
        authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
      });
      return { registrationOptions, ticket };
    },

    async finish(owner: PasskeyOwner, input: VerifyRegistrationDto, binding?: string) {
      const expectedChallenge = await challenges.spend(repos, {
        poolId: owner.poolId,
        purpose: "registration",
        ticket: input.ticket,
        userId: owner.userId,
        binding,
      });
      const lib = await webauthnLibrary();
      const { registrationInfo: info } = await verified(() =>
        lib.verifyRegistrationResponse({
          response: input.registrationCredential as Parameters<
            typeof verifyRegistrationResponse
          >[0]["response"],
          expectedChallenge,
          expectedOrigin: rp.origins,
          expectedRPID: rp.id,
          requireUserVerification: false,
        }),
      );
      if (!info) throw new ApiError("WEBAUTHN_RESPONSE_INVALID");
      const transports = info.credential.transports ?? input.registrationCredential.response.transports ?? [];
      const row: WebauthnCredentialRow = {
        id: newId(),
        pool_id: owner.poolId,
        user_id: owner.userId,
        credential_id: info.credential.id,
        public_key: Buffer.from(info.credential.publicKey).toString("base64url"),
        counter: info.credential.counter,
        transports: JSON.stringify(transports),
        aaguid: info.aaguid,
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp ? 1 : 0,
        name: input.name?.trim() || DEFAULT_NAME,
        authenticator_code: input.authenticatorCode ?? "other",
        created_at: clock.now(),
        last_used_at: null,
      };
      try {
        await withEvents(repos, async (tx) => {
          await tx.webauthn.insertCredential(row);
          await emit(tx, owner.origin, {
            poolId: owner.poolId,
            name: "user:passkey-added",
            userId: owner.userId,
            data: { userId: owner.userId, passkey: toPasskeyDto(row) },
          });
        });
      } catch (err) {
        if (uniqueViolation(err)) throw new ApiError("PASSKEY_EXISTS");
        throw err;
      }
      return { verified: true, passkey: toPasskeyDto(row), userHandle: userHandleOf(owner.userId) };
    },
  };
}
