import type { UserIdType } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import { loadPoolSettings } from "../admin/users/create.js";
import { userDtoDefaults } from "../users/dto.js";
import { toManagedUserDtos, type UserReadFlags } from "../users/dto-options.js";
import { requireUserByIdType } from "../users/lookup.js";

/** The pool's user a management call names by `userId` and `userIdType`; USER_NOT_FOUND otherwise. */
export async function requireUser(
  repos: Repositories,
  poolId: string,
  userId: string,
  userIdType?: UserIdType,
): Promise<UserRow> {
  if ((userIdType ?? "user_id") === "user_id") {
    // The common case reads no pool settings: a user id needs no normalisation.
    const user = await repos.users.findUserById(poolId, userId);
    if (!user) throw new ApiError("USER_NOT_FOUND");
    return user;
  }
  return requireUserByIdType(repos, poolId, await loadPoolSettings(repos, poolId), userId, userIdType);
}

/** Users of the pool by id, in the order given; ids of no user of the pool are left out. */
export async function userDtosInOrder(
  repos: Repositories,
  publicUrl: string,
  poolId: string,
  ids: string[],
  flags: UserReadFlags,
) {
  if (ids.length === 0) return [];
  const defaults = userDtoDefaults(await loadPoolSettings(repos, poolId), publicUrl);
  const rows = await repos.userAdmin.findUsersByIds(poolId, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ordered = ids.map((id) => byId.get(id)).filter((r): r is UserRow => r !== undefined);
  return toManagedUserDtos(repos, poolId, ordered, defaults, flags);
}
