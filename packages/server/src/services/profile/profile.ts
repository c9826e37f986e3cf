import {
  type GetSecurityInfoDto,
  type UpdateUserProfileDto,
  UpdateUserProfileDto as UpdateUserProfileSchema,
  type UserDto,
} from "@gatehouse/protocol";
import { ApiError, bilingual } from "../../errors.js";
import type { UserPatch, UserRow } from "../../storage/repos/users.js";
import { profileForScope } from "../tokens/binding.js";
import { assertUserMayWriteCustomData, checkCustomData } from "../users/custom-data.js";
import { toUserDto, userDtoDefaults } from "../users/dto.js";
import {
  assertNoSelfServiceExternalId,
  normalizeUsername,
  withIdentifierKeys,
} from "../users/identifiers.js";
import { inTransaction, loadUser, type ProfileDeps, type SelfService } from "./deps.js";

/** get-profile, update-profile, get-security-info (docs/behaviour-and-errors.md §2.7, §2.8). */

/** UpdateUserProfileDto field → users column. */
const columns = {
  name: "name",
  nickname: "nickname",
  photo: "photo",
  birthdate: "birthdate",
  country: "country",
  province: "province",
  city: "city",
  address: "address",
  streetAddress: "street_address",
  postalCode: "postal_code",
  gender: "gender",
  username: "username",
  company: "company",
  identityNumber: "identity_number",
} as const satisfies Record<Exclude<keyof UpdateUserProfileDto, "customData">, keyof UserRow>;

/**
 * Runs before schema validation so that email, phone and password get a message naming the
 * endpoint that does change them, externalId the 403 saying it is the administrator's, and any
 * other stranger a message naming the field.
 */
export function assertOnlyProfileFields(body: unknown): void {
  if (!body || typeof body !== "object" || Array.isArray(body)) return;
  const allowed = UpdateUserProfileSchema.properties;
  assertNoSelfServiceExternalId(body);
  for (const key of Object.keys(body)) {
    if (key === "email") throw new ApiError("PROFILE_EMAIL_ELSEWHERE");
    if (key === "phone" || key === "phoneCountryCode") throw new ApiError("PROFILE_PHONE_ELSEWHERE");
    if (key === "password") throw new ApiError("PROFILE_PASSWORD_ELSEWHERE");
    if (!Object.hasOwn(allowed, key)) {
      throw new ApiError("PROFILE_FIELD_UNKNOWN", {
        texts: bilingual(
          `update-profile 不接受 '${key.slice(0, 64)}'；可用字段：${Object.keys(allowed).join(", ")}`,
          `update-profile does not accept '${key.slice(0, 64)}'; accepted: ${Object.keys(allowed).join(", ")}`,
        ),
      });
    }
  }
}

/**
 * securityScore, Gatehouse's documented formula (docs/behaviour-and-errors.md §2.7 [our choice]):
 * password set +20, strength level 2 +10 or level 3 +20, email +15, phone +15, MFA +30; max 100.
 */
export function securityInfo(user: UserRow, mfaEnrolled: boolean): GetSecurityInfoDto {
  const passwordSet = user.password_hash !== null;
  const level = passwordSet ? (user.password_security_level ?? 1) : 0;
  const emailBinded = user.email !== null;
  const phoneBinded = user.phone !== null;
  const score =
    (passwordSet ? 20 : 0) +
    (level === 3 ? 20 : level === 2 ? 10 : 0) +
    (emailBinded ? 15 : 0) +
    (phoneBinded ? 15 : 0) +
    (mfaEnrolled ? 30 : 0);
  return {
    passwordSecurityLevel: level,
    mfaEnrolled,
    passwordSet,
    emailBinded,
    phoneBinded,
    securityScore: Math.min(100, score),
  };
}

export function profileFlows(deps: ProfileDeps) {
  return {
    async getProfile(
      who: SelfService,
      q: { withCustomData?: boolean; withIdentities?: boolean; withDepartmentIds?: boolean },
    ): Promise<UserDto> {
      const user = await loadUser(deps, who);
      const identities = q.withIdentities
        ? await deps.repos.identities.listIdentitiesByUser(user.id)
        : undefined;
      const dto = toUserDto(user, userDtoDefaults(who.settings, deps.publicUrl), {
        withCustomData: q.withCustomData,
        identities,
        withDepartmentIds: q.withDepartmentIds,
      });
      return profileForScope(dto, who.settings, who.scope);
    },

    async updateProfile(who: SelfService, body: UpdateUserProfileDto): Promise<UserDto> {
      const { poolId } = who;
      const user = await loadUser(deps, who);
      const patch: UserPatch = {};
      const changed: string[] = [];
      for (const [field, column] of Object.entries(columns) as [keyof typeof columns, keyof UserRow][]) {
        const value = body[field];
        if (value === undefined) continue;
        // An empty string clears an optional field (username and gender cannot be empty).
        (patch as Record<string, unknown>)[column] = value === "" ? null : value;
        changed.push(field);
      }
      // A username another user has is refused by the unique index at the write (409/2034).
      if (body.username !== undefined) patch.username = normalizeUsername(body.username);
      if (body.customData !== undefined) {
        await checkCustomData(deps.repos, poolId, body.customData, assertUserMayWriteCustomData);
        const current = user.custom_data ? (JSON.parse(user.custom_data) as Record<string, unknown>) : {};
        patch.custom_data = JSON.stringify({ ...current, ...body.customData });
        changed.push("customData");
      }
      const shown = (row: UserRow) =>
        profileForScope(
          toUserDto(row, userDtoDefaults(who.settings, deps.publicUrl)),
          who.settings,
          who.scope,
        );
      if (changed.length === 0) return shown(user);
      patch.updated_at = deps.clock.now();
      const updated = await inTransaction(deps, async (repos) => {
        if ((await repos.users.updateUser(poolId, user.id, withIdentifierKeys(patch))) !== 1)
          throw new ApiError("TOKEN_INVALID");
        await deps.audit.record(repos, {
          poolId,
          userId: user.id,
          actor: "user",
          action: "user.profile.updated",
          target: changed.join(","),
          meta: who.meta,
        });
        return repos.users.findUserById(poolId, user.id);
      });
      if (!updated) throw new ApiError("TOKEN_INVALID");
      return shown(updated);
    },

    async getSecurityInfo(who: SelfService): Promise<GetSecurityInfoDto> {
      const user = await loadUser(deps, who);
      return securityInfo(user, (await deps.repos.mfaFactors.countUserFactors(who.poolId, user.id)) > 0);
    },
  };
}
