import type { UserDto } from "@gatehouse/protocol";
import type { IdentityRow } from "../../storage/repos/identities.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import { toUserDto, type UserDtoDefaults } from "./dto.js";

/** The `with*` flags of the management read endpoints. */
export interface UserReadFlags {
  withCustomData?: boolean;
  flatCustomData?: boolean;
  withIdentities?: boolean;
  withDepartmentIds?: boolean;
  withPost?: boolean;
}

/** UserDto as the management API returns it; `flatCustomData` lifts custom fields to the top level. */
export function toManagedUserDto(
  row: UserRow,
  defaults: UserDtoDefaults,
  flags: UserReadFlags,
  identities?: IdentityRow[],
): UserDto & Record<string, unknown> {
  const dto: UserDto & Record<string, unknown> = toUserDto(row, defaults, {
    withCustomData: flags.withCustomData,
    withDepartmentIds: flags.withDepartmentIds,
    identities: flags.withIdentities ? (identities ?? []) : undefined,
  });
  if (flags.withPost) dto.postIdList = [];
  if (flags.flatCustomData && row.custom_data) {
    for (const [k, v] of Object.entries(JSON.parse(row.custom_data) as Record<string, unknown>)) {
      if (!(k in dto)) dto[k] = v;
    }
  }
  return dto;
}

/** Many users at once, with their identities fetched in one query when asked for. */
export async function toManagedUserDtos(
  repos: Repositories,
  poolId: string,
  rows: UserRow[],
  defaults: UserDtoDefaults,
  flags: UserReadFlags,
): Promise<(UserDto & Record<string, unknown>)[]> {
  const byUser = new Map<string, IdentityRow[]>();
  if (flags.withIdentities && rows.length > 0) {
    for (const i of await repos.userAdmin.listIdentitiesByUsers(
      poolId,
      rows.map((r) => r.id),
    )) {
      const list = byUser.get(i.user_id) ?? [];
      list.push(i);
      byUser.set(i.user_id, list);
    }
  }
  return rows.map((r) => toManagedUserDto(r, defaults, flags, byUser.get(r.id)));
}
