import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { MfaFactorRow } from "../../storage/repos/mfa-factors.js";
import type { Database } from "../../storage/schema.js";
import type { LoginHistory } from "../auth/login-history.js";
import type { CodeService } from "../codes/engine.js";
import type { FlowTokenService } from "../codes/flow-tokens.js";
import type { Emit } from "../events/emit.js";
import type { SecretBox } from "../secrets/secret-box.js";
import type { MfaAttempts } from "./attempts.js";

/** Everything the MFA capability needs, passed in (docs/architecture.md, habit 5). */
export interface MfaDeps {
  db: Kysely<Database>;
  repos: Repositories;
  codes: CodeService;
  flowTokens: FlowTokenService;
  attempts: MfaAttempts;
  loginHistory: Pick<LoginHistory, "recordAttempt" | "attemptStep">;
  box: SecretBox;
  /** The server secret: keys the recovery-code and MFA-token HMACs. */
  secret: string;
  clock: Clock;
  /** The outbox: factor events and `mfa:verified` commit with their change (docs/events.md). */
  emit: Emit;
}

/** A factor event's `data`: the user, the factor, and the application of the request when known. */
export function factorEventData(userId: string, factorType: string, factorId?: string, appId?: string) {
  return {
    userId,
    factorType,
    ...(factorId ? { factorId } : {}),
    ...(appId ? { appId } : {}),
  };
}

export type FactorType = "OTP" | "SMS" | "EMAIL";
export const FACTOR_TYPES: readonly FactorType[] = ["OTP", "SMS", "EMAIL"];

/** Where an SMS/EMAIL factor's codes go; {} for OTP. */
export interface StoredProfile {
  phoneNumber?: string;
  phoneCountryCode?: string;
  email?: string;
  /** E.164 of phoneNumber, the code engine's target. */
  e164?: string;
}

export function profileOf(row: MfaFactorRow): StoredProfile {
  return JSON.parse(row.profile) as StoredProfile;
}

/** The wire shape (FactorDto): the profile without our internal E.164 copy. */
export function factorDto(row: MfaFactorRow) {
  const { e164: _internal, ...profile } = profileOf(row);
  return { factorId: row.id, factorType: row.factor_type as FactorType, profile };
}
