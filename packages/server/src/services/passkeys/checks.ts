import type { WebAuthnCredential } from "@simplewebauthn/server";
import { ApiError } from "../../errors.js";
import type { WebauthnCredentialRow } from "../../storage/repos/webauthn.js";

/** The small named rules of the ceremonies (docs/architecture.md, habit 4; docs/passkeys.md). */

/** The user handle we give the authenticator: the user's id, UTF-8, base64url. */
export const userHandleOf = (userId: string): string => Buffer.from(userId, "utf8").toString("base64url");

/** A discoverable credential returns the user handle it was made for: it must be its owner's. */
export function assertUserHandleMatches(userHandle: string | undefined, row: WebauthnCredentialRow): void {
  if (userHandle !== undefined && userHandle !== "" && userHandle !== userHandleOf(row.user_id))
    throw new ApiError("WEBAUTHN_RESPONSE_INVALID");
}

/**
 * The signature counter must move forward; both 0 is allowed (authenticators that keep no counter,
 * synced passkeys among them). A counter that goes back or stays put means a cloned authenticator
 * or a replayed response.
 */
export function assertCounterMoves(stored: number, received: number): void {
  if ((stored > 0 || received > 0) && received <= stored) throw new ApiError("WEBAUTHN_RESPONSE_INVALID");
}

/**
 * @simplewebauthn/server, loaded at the first ceremony: its parsers (CBOR, ASN.1, COSE) are ~3 MB of
 * live heap that a server whose users have no passkeys would hold from startup
 * (docs/performance.md, "Memory at idle").
 */
let library: Promise<typeof import("@simplewebauthn/server")> | undefined;
export const webauthnLibrary = () => {
  library ??= import("@simplewebauthn/server");
  return library;
};

/** The library's view of a stored credential. */
export function libraryCredential(row: WebauthnCredentialRow): WebAuthnCredential {
  return {
    id: row.credential_id,
    publicKey: new Uint8Array(Buffer.from(row.public_key, "base64url")),
    counter: Number(row.counter),
    transports: JSON.parse(row.transports) as WebAuthnCredential["transports"],
  };
}

/**
 * Runs one of the library's verifications: anything it rejects (wrong origin, RP id, challenge,
 * signature, counter, malformed CBOR) is one clear answer, never a 500.
 */
export async function verified<T extends { verified: boolean }>(run: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch {
    throw new ApiError("WEBAUTHN_RESPONSE_INVALID");
  }
  if (!result.verified) throw new ApiError("WEBAUTHN_RESPONSE_INVALID");
  return result;
}

/** The challenge as the library wants it: its bytes (a string would be taken as UTF-8 text). */
export const challengeBytes = (challenge: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(Buffer.from(challenge, "base64url"));
