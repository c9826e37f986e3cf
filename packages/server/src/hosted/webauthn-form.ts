import {
  AuthenticationCredential,
  type AuthenticationCredential as AuthenticationCredentialT,
  RegistrationCredential,
  type RegistrationCredential as RegistrationCredentialT,
} from "@gatehouse/protocol";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ApiError } from "../errors.js";

/**
 * The browser's WebAuthn answer, posted as JSON in a form field by the pages' scripts: anything that
 * is not what a browser sends is a response that does not verify (docs/passkeys.md).
 */
function parsed<T>(schema: TSchema, text: string | undefined): T {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "");
  } catch {
    throw new ApiError("WEBAUTHN_RESPONSE_INVALID");
  }
  if (!Value.Check(schema, value)) throw new ApiError("WEBAUTHN_RESPONSE_INVALID");
  return value as T;
}

export const authenticationOf = (text: string | undefined) =>
  parsed<AuthenticationCredentialT>(AuthenticationCredential, text);

export const registrationOf = (text: string | undefined) =>
  parsed<RegistrationCredentialT>(RegistrationCredential, text);
