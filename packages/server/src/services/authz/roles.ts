import type {
  AssignRoleRequest,
  CreateRoleRequest,
  DeleteRolesRequest,
  HasAnyRoleRequest,
  ListRoleMembersQuery,
  ListRolesQuery,
  RevokeRoleRequest,
  RoleDto,
  UpdateRoleRequest,
  UserRolesQuery,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import type { GroupRow, RoleRow, RoleWithNamespace } from "../../storage/repos/authz-model.js";
import type { Repositories } from "../../storage/repos/index.js";
import { type AuthzDeps, page } from "./deps.js";
import { requireUser, userDtosInOrder } from "./members.js";
import { resolveNamespace } from "./namespaces.js";

/** A role held through an assignment, with the assignment's window (epoch ms, null: open). */
export type HeldRole = RoleWithNamespace & { enable_time: number | null; end_time: number | null };

/** Whether a held role grants at `now`: the role is enabled and unexpired, the assignment within its window. */
export function roleIsActive(r: HeldRole, now: number): boolean {
  return (
    r.status === "ENABLE" &&
    (r.disable_time === null || r.disable_time > now) &&
    (r.enable_time === null || r.enable_time <= now) &&
    (r.end_time === null || r.end_time > now)
  );
}

export function toRoleDto(r: RoleWithNamespace, held?: HeldRole, now?: number): RoleDto {
  const ends = [r.disable_time, held?.end_time].filter((t): t is number => t !== null && t !== undefined);
  const active = held && now !== undefined ? roleIsActive(held, now) : r.status === "ENABLE";
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    description: r.description,
    namespace: r.namespace_code,
    namespaceName: r.namespace_name,
    status: active ? "ENABLE" : "DISABLE",
    ...(ends.length ? { disableTime: Math.min(...ends) } : {}),
    enablePermissionApply: r.enable_permission_apply === 1,
  };
}

function epochMs(v: number | string | null | undefined): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  return typeof v === "number" ? v : Number(v);
}

/**
 * Every role a user holds, directly or through a group (a role held both ways once, the direct
 * assignment first), optionally in one namespace.
 */
export async function heldRoles(
  repos: Repositories,
  userId: string,
  namespaceId?: string,
  groups?: GroupRow[],
): Promise<HeldRole[]> {
  groups ??= await repos.authz.groupsOfUser(userId);
  const [direct, viaGroups] = await Promise.all([
    repos.authz.rolesOfTargets("USER", [userId], namespaceId),
    repos.authz.rolesOfTargets(
      "GROUP",
      groups.map((g) => g.id),
      namespaceId,
    ),
  ]);
  const seen = new Set<string>();
  const out: HeldRole[] = [];
  for (const r of [...direct, ...viaGroups]) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  return out;
}

/** Roles: CRUD, assignment to users and groups with an optional window, members, a user's roles. */
export function createRoles({ repos, clock, changed, publicUrl }: AuthzDeps) {
  async function requireRole(poolId: string, code: string, namespace?: string) {
    const ns = await resolveNamespace(repos, poolId, namespace, clock.now());
    const role = await repos.authz.findRole(ns.id, code);
    if (!role) throw new ApiError("ROLE_NOT_FOUND");
    return role;
  }

  /** USER targets by user id, GROUP targets by group code; every one must exist. */
  async function targetIds(poolId: string, targets: AssignRoleRequest["targets"]) {
    const users: string[] = [];
    const groups: string[] = [];
    for (const t of targets) {
      if (t.targetType === "USER") users.push((await requireUser(repos, poolId, t.targetIdentifier)).id);
      else if (t.targetType === "GROUP") {
        const g = await repos.authz.findGroup(poolId, t.targetIdentifier);
        if (!g) throw new ApiError("GROUP_NOT_FOUND");
        groups.push(g.id);
      } else throw new ApiError("TARGET_TYPE_UNSUPPORTED");
    }
    return { users, groups };
  }

  return {
    requireRole,
    async create(poolId: string, req: CreateRoleRequest): Promise<RoleDto> {
      const now = clock.now();
      const ns = await resolveNamespace(repos, poolId, req.namespace, now);
      const row: RoleRow = {
        id: newId(),
        pool_id: poolId,
        namespace_id: ns.id,
        code: req.code,
        name: req.name ?? req.code,
        description: req.description ?? "",
        status: "ENABLE",
        disable_time: epochMs(req.disableTime) ?? null,
        enable_permission_apply: 0,
        created_at: now,
        updated_at: now,
      };
      try {
        await repos.authz.insertRole(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new ApiError("ROLE_EXISTS");
        throw err;
      }
      return toRoleDto({ ...row, namespace_code: ns.code, namespace_name: ns.name });
    },
    async get(poolId: string, code: string, namespace?: string): Promise<RoleDto> {
      return toRoleDto(await requireRole(poolId, code, namespace));
    },
    async list(poolId: string, q: ListRolesQuery) {
      const ns = await resolveNamespace(repos, poolId, q.namespace, clock.now());
      const r = await repos.authz.listRoles(ns.id, q.keywords, page(q));
      return { totalCount: r.totalCount, list: r.list.map((row) => toRoleDto(row)) };
    },
    async update(poolId: string, req: UpdateRoleRequest): Promise<void> {
      const role = await requireRole(poolId, req.code, req.namespace);
      const disable = epochMs(req.disableTime);
      const set = {
        ...(req.newCode ? { code: req.newCode } : {}),
        ...(req.name !== undefined ? { name: req.name } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        ...(req.status ? { status: req.status } : {}),
        ...(disable !== undefined ? { disable_time: disable } : {}),
        ...(req.enablePermissionApply !== undefined
          ? { enable_permission_apply: req.enablePermissionApply ? 1 : 0 }
          : {}),
        updated_at: clock.now(),
      };
      try {
        await repos.authz.updateRole(role.id, set);
      } catch (err) {
        if (isUniqueViolation(err)) throw new ApiError("ROLE_EXISTS");
        throw err;
      }
      changed(poolId, "role");
    },
    async removeBatch(poolId: string, req: DeleteRolesRequest): Promise<void> {
      const ns = await resolveNamespace(repos, poolId, req.namespace, clock.now());
      const rows = await repos.authz.findRolesByCodes(ns.id, req.codeList);
      await repos.authz.deleteRoles(rows.map((r) => r.id));
      changed(poolId, "role");
    },
    async assign(poolId: string, req: AssignRoleRequest): Promise<void> {
      const role = await requireRole(poolId, req.code, req.namespace);
      const { users, groups } = await targetIds(poolId, req.targets);
      const now = clock.now();
      const window = { enable_time: req.enableTime ?? null, end_time: req.endTime ?? null };
      for (const [type, ids] of [
        ["USER", users],
        ["GROUP", groups],
      ] as const) {
        for (const id of ids) {
          await repos.authz.upsertAssignment({
            role_id: role.id,
            target_type: type,
            target_id: id,
            ...window,
            created_at: now,
          });
        }
      }
      changed(poolId, "role-assignment");
    },
    async revoke(poolId: string, req: RevokeRoleRequest): Promise<void> {
      const role = await requireRole(poolId, req.code, req.namespace);
      const { users, groups } = await targetIds(poolId, req.targets);
      await repos.authz.deleteAssignments(role.id, "USER", users);
      await repos.authz.deleteAssignments(role.id, "GROUP", groups);
      changed(poolId, "role-assignment");
    },
    async members(poolId: string, q: ListRoleMembersQuery) {
      const role = await requireRole(poolId, q.code, q.namespace);
      const r = await repos.authz.listRoleUserIds(role.id, page(q));
      return { totalCount: r.totalCount, list: await userDtosInOrder(repos, publicUrl, poolId, r.ids, q) };
    },
    /** A user's roles in a namespace (default: `default`), direct and through groups, with their status now. */
    async ofUser(poolId: string, q: UserRolesQuery) {
      const user = await requireUser(repos, poolId, q.userId, q.userIdType);
      const now = clock.now();
      const ns = await resolveNamespace(repos, poolId, q.namespace, now);
      const list = (await heldRoles(repos, user.id, ns.id)).map((r) => toRoleDto(r, r, now));
      return { totalCount: list.length, list };
    },
    async hasAny(poolId: string, req: HasAnyRoleRequest): Promise<boolean> {
      const user = await requireUser(repos, poolId, req.userId, req.options?.userIdType);
      const now = clock.now();
      const active = (await heldRoles(repos, user.id)).filter((r) => roleIsActive(r, now));
      return req.roles.some((want) =>
        active.some((r) => r.code === want.code && r.namespace_code === (want.namespace ?? "default")),
      );
    },
  };
}
