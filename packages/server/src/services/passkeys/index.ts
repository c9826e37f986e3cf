import type { VerifyAuthenticationDto } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { AppScope, Auth, RequestMeta } from "../auth/index.js";
import type { Emit } from "../events/emit.js";
import { type FirstFactor, passkeyFactor } from "../oidc/first-factor.js";
import { createAuthentication } from "./authentication.js";
import { createChallenges } from "./challenges.js";
import { createCredentials } from "./credentials.js";
import { createPrompt } from "./prompt.js";
import { createRegistration } from "./registration.js";
import type { RelyingParty } from "./relying-party.js";

export interface PasskeysDeps {
  repos: Repositories;
  clock: Clock;
  emit: Emit;
  /** Keys the tickets' hashes. */
  secret: string;
  rp: RelyingParty;
  /** The sign-in module: a passkey ends like any sign-in, within its rules. */
  auth: Pick<Auth, "signInByProof" | "authenticateByProof" | "mfaStep">;
}

/** `binding` of a ceremony run by a hosted sign-in page. */
export const interactionBinding = (uid: string) => `interaction:${uid}`;
/** `binding` of a ceremony run by the account page: the browser session it was shown to. */
export const sessionBinding = (sessionId: string) => `session:${sessionId}`;
/** `binding` of a ceremony of the API's MFA step: the MFA token (its `jti`) it was started with. */
export const mfaTokenBinding = (jti: string) => `mfa-token:${jti}`;

/**
 * The tickets of the API's MFA step start with this, so that `POST /api/v3/webauthn/authentication`
 * knows an assertion finishes an MFA step, not a sign-in (docs/passkeys.md §MFA). The prefix only
 * routes: the ticket is still checked against its stored binding.
 */
const MFA_TICKET_PREFIX = "mfa.";
export const isMfaStepTicket = (ticket: string) => ticket.startsWith(MFA_TICKET_PREFIX);

/**
 * Passkeys (WebAuthn, docs/passkeys.md): adding one to a signed-in user, signing in with one
 * through the sign-in module, and the user's management of theirs. Built once, as `ctx.passkeys`.
 */
export function createPasskeys(deps: PasskeysDeps) {
  const challenges = createChallenges({ secret: deps.secret, clock: deps.clock });
  const ceremony = { repos: deps.repos, challenges, rp: deps.rp, clock: deps.clock };
  const authentication = createAuthentication(ceremony);
  const hasPasskey = async (poolId: string, userId: string) =>
    (await deps.repos.webauthn.countUserCredentials(poolId, userId)) > 0;

  async function verifySecondFactor(
    poolId: string,
    userId: string,
    input: {
      ticket: string;
      credential: VerifyAuthenticationDto["authenticationCredential"];
      binding?: string;
    },
  ): Promise<{ amr: "hwk"; userVerified: boolean }> {
    const proof = await authentication.proof({
      poolId,
      userId,
      ticket: input.ticket,
      credential: input.credential,
      binding: input.binding,
    });
    if (!proof.userId) throw proof.unknown();
    await proof.check();
    return { amr: "hwk", userVerified: proof.userVerified() };
  }

  return {
    rp: deps.rp,
    registration: createRegistration({ ...ceremony, emit: deps.emit }),
    credentials: createCredentials({ repos: deps.repos, emit: deps.emit }),
    /** The "add a passkey" prompt after a password sign-in: due or not, and the user's answer. */
    prompt: createPrompt({ repos: deps.repos, clock: deps.clock }),
    /** Options for a sign-in with any of the pool's passkeys (discoverable credentials). */
    startSignIn: authentication.start,

    /** `POST /api/v3/webauthn/authentication`: the tokens `/api/v3/signin` answers. */
    async signIn(s: AppScope, input: VerifyAuthenticationDto, meta: RequestMeta) {
      const proof = await authentication.proof({
        poolId: s.pool.id,
        ticket: input.ticket,
        credential: input.authenticationCredential,
      });
      const tokenSet = await deps.auth.signInByProof(s, proof, { options: input.options }, meta);
      return { verified: true, tokenSet };
    },

    /**
     * A passkey as the second factor of a user who passed a first one (the seam of the MFA step,
     * docs/passkeys.md §MFA): options naming the user's passkeys, the ticket bound to the user.
     */
    startSecondFactor: (poolId: string, userId: string, binding?: string) =>
      authentication.start(poolId, binding, userId),

    /** Whether the user has a passkey to prove a second factor with. */
    hasPasskey,

    /**
     * `POST /api/v3/webauthn/mfa-verify/initialize`: options naming the MFA token's user's
     * passkeys, the ticket bound to that user and that MFA token. A user without a passkey:
     * MFA_FACTOR_NOT_FOUND.
     */
    async startMfaStep(mfaToken: string | undefined) {
      const who = await deps.auth.mfaStep.passkeySubject(mfaToken);
      if (!(await hasPasskey(who.poolId, who.userId))) throw new ApiError("MFA_FACTOR_NOT_FOUND");
      return authentication.start(who.poolId, mfaTokenBinding(who.jti), who.userId, MFA_TICKET_PREFIX);
    },

    /**
     * The assertion of such a ticket, posted to `POST /api/v3/webauthn/authentication` with the MFA
     * token: completes the MFA step (the token spent, the step's tokens) through its service.
     */
    async finishMfaStep(
      mfaToken: string | undefined,
      input: Pick<VerifyAuthenticationDto, "ticket" | "authenticationCredential">,
      meta: RequestMeta,
    ) {
      const tokenSet = await deps.auth.mfaStep.complete(
        mfaToken,
        {
          kind: "PASSKEY",
          check: async (who) => {
            await verifySecondFactor(who.poolId, who.userId, {
              ticket: input.ticket,
              credential: input.authenticationCredential,
              binding: mfaTokenBinding(who.jti),
            });
          },
        },
        meta,
      );
      return { verified: true, tokenSet };
    },

    /** Checks the second factor; throws PASSKEY_UNKNOWN, WEBAUTHN_TICKET_INVALID or WEBAUTHN_RESPONSE_INVALID. */
    verifySecondFactor,

    /** The hosted sign-in page's passkey: the user and what the passkey proved. */
    async authenticate(
      s: AppScope,
      input: Omit<VerifyAuthenticationDto, "authenticationCredential"> & {
        authenticationCredential: VerifyAuthenticationDto["authenticationCredential"];
        binding: string;
      },
      meta: RequestMeta,
    ): Promise<{ user: UserRow; factor: FirstFactor }> {
      const proof = await authentication.proof({
        poolId: s.pool.id,
        ticket: input.ticket,
        credential: input.authenticationCredential,
        binding: input.binding,
      });
      const user = await deps.auth.authenticateByProof(s, proof, {}, meta);
      return { user, factor: passkeyFactor(proof.userVerified()) };
    },
  };
}
export type Passkeys = ReturnType<typeof createPasskeys>;
export { relyingParty } from "./relying-party.js";
