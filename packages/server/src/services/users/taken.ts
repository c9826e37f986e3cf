import { ApiError, bilingual } from "../../errors.js";
import { type UniqueViolation, uniqueViolation } from "../../storage/unique-violation.js";

const TAKEN = {
  email: "EMAIL_TAKEN",
  username: "USERNAME_TAKEN",
  phone: "PHONE_TAKEN",
  external_id: "EXTERNAL_ID_TAKEN",
} as const;

/**
 * How a write answers when the database refuses a duplicate:
 * - `which`: the identifier that is taken (EMAIL_TAKEN, PHONE_TAKEN …) — the management API and
 *   the self-service flows, whose early checks answer the same;
 * - `exists`: GenAuth's one "user already exists" (409/2026) whichever identifier it was — sign-up
 *   and auto-registration, whose early check answers that too, so a lost race reads the same.
 */
export type TakenAnswer = "which" | "exists";

/** The one translation of a unique-constraint violation into an API error. */
export function takenError(violation: UniqueViolation, answer: TakenAnswer = "which"): ApiError {
  if (answer === "exists") return new ApiError("USER_EXISTS");
  if (violation.kind === "user-identifier") return new ApiError(TAKEN[violation.column]);
  if (violation.kind === "identity") {
    return new ApiError("USER_EXISTS", {
      texts: bilingual(
        "该身份（extIdpId, userIdInIdp）已关联到一个用户",
        "An identity (extIdpId, userIdInIdp) is already linked to a user",
      ),
    });
  }
  return new ApiError("USER_EXISTS");
}

/** Runs a write (or a transaction); a unique-constraint violation becomes its takenError. */
export async function takenMapped<T>(write: () => Promise<T>, answer: TakenAnswer = "which"): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const violation = uniqueViolation(err);
    if (violation) throw takenError(violation, answer);
    throw err;
  }
}
