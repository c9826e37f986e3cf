import { type UpdateUserRequest, type UserDto, userProfileFields } from "@gatehouse/protocol";
import { ApiError, bilingual } from "../../../errors.js";
import type { Clock } from "../../../lib/clock.js";
import type { Repositories } from "../../../storage/repos/index.js";
import type { UserPatch, UserRow } from "../../../storage/repos/users.js";
import type { Passwords } from "../../auth/passwords/hashing.js";
import { type Emit, userEvent, withEvents } from "../../events/emit.js";
import type { EventName } from "../../events/names.js";
import type { EventOrigin } from "../../events/scope.js";
import type { Sessions } from "../../tokens/sessions.js";
import { maskEmail, maskPhone } from "../../users/audit.js";
import { assertAdminMayWriteCustomData, checkCustomData } from "../../users/custom-data.js";
import { userDtoDefaults } from "../../users/dto.js";
import { toManagedUserDto } from "../../users/dto-options.js";
import {
  assertPhoneWithCountryCode,
  findUserByEmail,
  findUserByUsername,
  normalizeEmail,
  normalizePhoneE164,
  normalizeUsername,
  withIdentifierKeys,
} from "../../users/identifiers.js";
import { requireUserByIdType } from "../../users/lookup.js";
import { takenMapped } from "../../users/taken.js";
import { preparePassword, profileColumn } from "../../users/user-input.js";
import { loadPoolSettings } from "./create.js";

/** What an update changed that other parts must react to (sessions, notifications). */
export interface UserUpdateOutcome {
  user: UserDto;
  passwordChanged: boolean;
  deactivated: boolean;
}

export interface UserUpdateDeps {
  repos: Repositories;
  passwords: Passwords;
  sessions: Pick<Sessions, "endUserSessions">;
  clock: Clock;
  /** Base of the default avatar URL (services/users/dto.ts). */
  publicUrl: string;
  emit: Emit;
}

export function createUserUpdate(deps: UserUpdateDeps) {
  return {
    update: (poolId: string, input: UpdateUserRequest, origin: EventOrigin) =>
      updateUser(deps, poolId, input, origin),
  };
}

async function assertIdentifierFree(
  repos: Repositories,
  poolId: string,
  self: UserRow,
  kind: "email" | "username" | "phone",
  value: string,
) {
  const other =
    kind === "email"
      ? await findUserByEmail(repos, poolId, value)
      : kind === "username"
        ? await findUserByUsername(repos, poolId, value)
        : await repos.users.findUserByPhone(poolId, value);
  if (other && other.id !== self.id) {
    throw new ApiError(
      kind === "email" ? "EMAIL_TAKEN" : kind === "username" ? "USERNAME_TAKEN" : "PHONE_TAKEN",
    );
  }
}

/** POST /api/v3/update-user: any profile field, identifiers (kept unique), password, status, flags. */
async function updateUser(
  deps: UserUpdateDeps,
  poolId: string,
  input: UpdateUserRequest,
  origin: EventOrigin,
): Promise<UserUpdateOutcome> {
  const { repos } = deps;
  assertPhoneWithCountryCode(input);
  const settings = await loadPoolSettings(repos, poolId);
  const user = await requireUserByIdType(repos, poolId, settings, input.userId, input.options?.userIdType);
  const now = deps.clock.now();
  const patch: UserPatch = {};

  for (const field of userProfileFields) {
    const v = (input as Record<string, unknown>)[field];
    if (v !== undefined) (patch as Record<string, unknown>)[profileColumn[field]] = v;
  }
  if (input.externalId !== undefined && input.externalId !== null) {
    const other = await repos.users.findUserByExternalId(poolId, input.externalId);
    if (other && other.id !== user.id) throw new ApiError("EXTERNAL_ID_TAKEN");
  }
  if (input.email !== undefined) {
    const email = input.email === null || input.email.trim() === "" ? null : normalizeEmail(input.email);
    if (email) await assertIdentifierFree(repos, poolId, user, "email", email);
    if (email?.toLowerCase() !== user.email?.toLowerCase()) {
      patch.email_verified = 0;
      patch.email_proved_at = null;
    }
    patch.email = email;
  }
  if (input.username !== undefined) {
    const username =
      input.username === null || input.username.trim() === "" ? null : normalizeUsername(input.username);
    if (username) await assertIdentifierFree(repos, poolId, user, "username", username);
    patch.username = username;
  }
  if (input.phone !== undefined) {
    const phone =
      input.phone === null || input.phone.trim() === ""
        ? null
        : normalizePhoneE164(input.phone, input.phoneCountryCode, settings);
    if (phone) await assertIdentifierFree(repos, poolId, user, "phone", phone);
    if (phone !== user.phone) {
      patch.phone_verified = 0;
      patch.phone_proved_at = null;
    }
    patch.phone = phone;
  }
  if (input.emailVerified !== undefined) patch.email_verified = input.emailVerified ? 1 : 0;
  if (input.phoneVerified !== undefined) patch.phone_verified = input.phoneVerified ? 1 : 0;
  if (input.gender !== undefined) patch.gender = input.gender;
  if (input.status !== undefined && input.status !== user.status) {
    patch.status = input.status;
    patch.status_changed_at = now;
  }
  if (input.customData !== undefined) {
    await checkCustomData(repos, poolId, input.customData, assertAdminMayWriteCustomData);
    const merged = { ...(user.custom_data ? JSON.parse(user.custom_data) : {}), ...input.customData };
    for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
    patch.custom_data = Object.keys(merged).length > 0 ? JSON.stringify(merged) : null;
  }
  const reset = input.options?.resetPasswordOnNextLogin ?? input.options?.resetPasswordOnFirstLogin;
  if (reset !== undefined) patch.reset_password_on_next_login = reset ? 1 : 0;

  const after = { ...user, ...patch };
  if (
    !after.email &&
    !after.username &&
    !after.phone &&
    (await repos.identities.listIdentitiesByUser(user.id)).length === 0
  ) {
    throw new ApiError("USER_IDENTIFIER_REQUIRED", {
      texts: bilingual(
        "更新后用户将没有邮箱、手机号或用户名中的任何一个",
        "The update would leave the user with none of email, phone or username",
      ),
    });
  }

  // Hashing happens before, never inside, the write.
  const password = await preparePassword(deps.passwords, input.password, {
    passwordEncryptType: input.options?.passwordEncryptType,
    autoGeneratePassword: input.options?.autoGeneratePassword,
  });
  if (password) {
    patch.password_hash = password.hash;
    patch.password_security_level = password.level;
    patch.password_last_set_at = now;
  }
  patch.updated_at = now;
  await takenMapped(() =>
    withEvents(repos, async (tx) => {
      await tx.users.updateUser(poolId, user.id, withIdentifierKeys(patch));
      const row = await tx.users.findUserById(poolId, user.id);
      if (!row) throw new ApiError("USER_NOT_FOUND");
      await deps.emit.many(
        tx,
        origin,
        updateEvents(user, patch, password !== undefined).map(([name, extra]) => userEvent(name, row, extra)),
      );
    }),
  );
  // A new password or a suspended account ends the user's sessions (tokens stop working at once).
  const deactivated = patch.status !== undefined && patch.status !== "Activated";
  if (deactivated || (password && settings.endSessionsOnPasswordChange)) {
    await deps.sessions.endUserSessions(poolId, user.id, {
      reason: deactivated ? "deactivated" : "password-changed",
    });
  }
  const updated = await repos.users.findUserById(poolId, user.id);
  if (!updated) throw new ApiError("USER_NOT_FOUND");
  return {
    user: toManagedUserDto(updated, userDtoDefaults(settings, deps.publicUrl), { withCustomData: true }),
    passwordChanged: password !== undefined,
    deactivated,
  };
}

/** The events of an administrator's update: always `user:updated`, and what else it did. */
function updateEvents(
  before: UserRow,
  patch: UserPatch,
  passwordChanged: boolean,
): [EventName, Record<string, unknown>?][] {
  const names: [EventName, Record<string, unknown>?][] = [["user:updated"]];
  if (patch.status !== undefined && patch.status !== before.status) {
    if (patch.status === "Suspended") names.push(["user:blocked"]);
    else if (patch.status === "Activated") names.push(["user:unblocked"]);
  }
  if (passwordChanged) names.push(["user:password-changed"]);
  if (patch.email_verified === 1 && before.email_verified !== 1) names.push(["user:email-verified"]);
  const masked = (mask: (v: string) => string, v: string | null | undefined) => (v ? mask(v) : null);
  if (patch.phone !== undefined && patch.phone !== before.phone) {
    const change = { oldValue: masked(maskPhone, before.phone), newValue: masked(maskPhone, patch.phone) };
    names.push(["user:phone-changed", change]);
  }
  if (patch.email !== undefined && patch.email !== before.email) {
    const change = { oldValue: masked(maskEmail, before.email), newValue: masked(maskEmail, patch.email) };
    names.push(["user:email-changed", change]);
  }
  return names;
}
