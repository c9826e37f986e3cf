import { ApiError } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import { type Emit, userEvent } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";

/** `register` for a user a sign-up just inserted in `tx`, read back so the event carries the stored user. */
export async function emitRegistered(
  emit: Emit,
  tx: Repositories,
  origin: EventOrigin,
  poolId: string,
  userId: string,
) {
  const user = await tx.users.findUserById(poolId, userId);
  if (!user) throw new ApiError("INTERNAL");
  await emit(tx, origin, userEvent("register", user));
}

/** `user:email-verified` once a code proved the address. */
export async function emitEmailVerified(emit: Emit, tx: Repositories, origin: EventOrigin, user: UserRow) {
  await emit(tx, origin, userEvent("user:email-verified", { ...user, email_verified: 1 }));
}
