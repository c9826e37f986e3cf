import type { PoolSettings, UserIdType } from "@gatehouse/protocol";
import { ApiError, bilingual } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import { isEmail } from "./email.js";
import { findUserByEmail, findUserByUsername } from "./identifiers.js";
import { normalizePhone } from "./phone.js";

/**
 * Find a pool's user by the management API's `userIdType` (docs/wire-contract.md §4). Every lookup is
 * scoped to the pool: an id of another pool is simply not found.
 */
export async function findUserByIdType(
  repos: Repositories,
  poolId: string,
  settings: PoolSettings,
  userId: string,
  userIdType: UserIdType = "user_id",
): Promise<UserRow | undefined> {
  switch (userIdType) {
    case "user_id":
      return repos.users.findUserById(poolId, userId);
    case "external_id":
      return repos.users.findUserByExternalId(poolId, userId);
    case "email":
      return findUserByEmail(repos, poolId, userId);
    case "username":
      return findUserByUsername(repos, poolId, userId);
    case "phone": {
      let e164: string;
      try {
        e164 = normalizePhone(userId, undefined, settings.defaultPhoneCountryCode).e164;
      } catch {
        return undefined;
      }
      return repos.users.findUserByPhone(poolId, e164);
    }
    case "identity": {
      const sep = userId.indexOf(":");
      if (sep <= 0) {
        throw new ApiError("USER_ID_TYPE_UNSUPPORTED", {
          texts: bilingual(
            "userIdType 为 identity 时，userId 应为 <extIdpId>:<userIdInIdp>",
            "userIdType identity expects userId as <extIdpId>:<userIdInIdp>",
          ),
        });
      }
      return repos.userAdmin.findUserByIdentity(poolId, userId.slice(0, sep), userId.slice(sep + 1));
    }
    default:
      throw new ApiError("USER_ID_TYPE_UNSUPPORTED", {
        texts: bilingual(
          `Gatehouse 不支持 userIdType ${userIdType}（可用 user_id、external_id、phone、email、username 或 identity）`,
          `userIdType ${userIdType} is not supported by Gatehouse (use user_id, external_id, phone, email, username or identity)`,
        ),
      });
  }
}

/**
 * One user named by an email or a phone that is not one is a format error, like GenAuth's
 * ("The email parameter is malformed"), rather than "no such user". Batch lookups skip such ids.
 */
function assertIdFormat(settings: PoolSettings, userId: string, userIdType: UserIdType | undefined): void {
  if (userIdType === "email" && !isEmail(userId)) {
    throw new ApiError("PARAM_MALFORMED", { params: { field: "email" } });
  }
  if (userIdType === "phone") {
    try {
      normalizePhone(userId, undefined, settings.defaultPhoneCountryCode);
    } catch {
      throw new ApiError("PARAM_MALFORMED", { params: { field: "phone" } });
    }
  }
}

export async function requireUserByIdType(
  repos: Repositories,
  poolId: string,
  settings: PoolSettings,
  userId: string,
  userIdType?: UserIdType,
): Promise<UserRow> {
  assertIdFormat(settings, userId, userIdType);
  const user = await findUserByIdType(repos, poolId, settings, userId, userIdType);
  if (!user) throw new ApiError("USER_NOT_FOUND");
  return user;
}
