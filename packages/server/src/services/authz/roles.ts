import type {
  AssignRoleRequest,
  CreateRoleRequest,
  DeleteRolesAcrossNamespacesRequest,
  DeleteRolesRequest,
  HasAnyRoleRequest,
  ListRoleMembersQuery,
  ListRolesQuery,
  RevokeRoleRequest,
  RoleBatchRequest,
  RoleDto,
  UpdateRoleRequest,
  UserRolesQuery,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import type { GroupRow, RoleWithNamespace } from "../../storage/repos/authz-model.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { EventOrigin } from "../events/scope.js";
import { type AuthzDeps, page } from "./deps.js";
import { requireUser, userDtosInOrder } from "./members.js";
import { resolveNamespace } from "./namespaces.js";
import { createAuthzWrite } from "./write.js";

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

/** The `data` of `role:assigned` / `role:revoked` (docs/events.md#event-names). */
function assignmentData(
  role: RoleWithNamespace,
  targets: AssignRoleRequest["targets"],
  window?: { enable_time: number | null; end_time: number | null },
) {
  return {
    role: toRoleDto(role),
    targets: targets.map((t) => ({ targetType: t.targetType, targetIdentifier: t.targetIdentifier })),
    ...(window?.enable_time != null ? { enableTime: window.enable_time } : {}),
    ...(window?.end_time != null ? { endTime: window.end_time } : {}),
  };
}

/** An assignment to one user is about that user: they hear it on the live stream. */
const soleUser = (users: string[], groups: string[]) =>
  users.length === 1 && groups.length === 0 ? users[0] : undefined;

/** Roles: CRUD, assignment to users and groups with an optional window, members, a user's roles. */
export function createRoles(deps: AuthzDeps) {
  const { repos, clock, publicUrl } = deps;
  const write = createAuthzWrite(deps);
  async function requireRole(poolId: string, code: string, namespace?: string) {
    const ns = await resolveNamespace(repos, poolId, namespace);
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

  async function createMany(
    poolId: string,
    origin: EventOrigin,
    reqs: (Pick<CreateRoleRequest, "code" | "name" | "description" | "namespace"> & {
      disableTime?: CreateRoleRequest["disableTime"];
    })[],
  ): Promise<RoleDto[]> {
    const now = clock.now();
    const rows: RoleWithNamespace[] = [];
    for (const req of reqs) {
      const ns = await resolveNamespace(repos, poolId, req.namespace);
      rows.push({
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
        namespace_code: ns.code,
        namespace_name: ns.name,
      });
    }
    await write(poolId, origin, "role", async (tx, emit) => {
      for (const { namespace_code: _c, namespace_name: _n, ...row } of rows) {
        try {
          await tx.authz.insertRole(row);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("ROLE_EXISTS");
          throw err;
        }
      }
      for (const r of rows) await emit("role:created", toRoleDto(r));
    });
    return rows.map((r) => toRoleDto(r));
  }

  /**
   * Assigns (or revokes) roles to targets in one transaction, one `role:assigned` (`role:revoked`)
   * per role; every role and target must exist.
   */
  async function assignMany(
    poolId: string,
    origin: EventOrigin,
    roles: RoleWithNamespace[],
    targets: AssignRoleRequest["targets"],
    window?: { enable_time: number | null; end_time: number | null },
  ): Promise<void> {
    const { users, groups } = await targetIds(poolId, targets);
    const now = clock.now();
    await write(poolId, origin, "role-assignment", async (tx, emit) => {
      for (const role of roles) {
        if (window) {
          for (const [type, ids] of [
            ["USER", users],
            ["GROUP", groups],
          ] as const) {
            for (const id of ids) {
              await tx.authz.upsertAssignment({
                role_id: role.id,
                target_type: type,
                target_id: id,
                ...window,
                created_at: now,
              });
            }
          }
          await emit("role:assigned", assignmentData(role, targets, window), soleUser(users, groups));
        } else {
          await tx.authz.deleteAssignments(role.id, "USER", users);
          await tx.authz.deleteAssignments(role.id, "GROUP", groups);
          await emit("role:revoked", assignmentData(role, targets), soleUser(users, groups));
        }
      }
    });
  }

  /** Deletes roles (their assignments and grants go with them), one `role:deleted` each. */
  async function removeRoles(poolId: string, rows: RoleWithNamespace[], origin: EventOrigin): Promise<void> {
    if (rows.length === 0) return;
    await write(poolId, origin, "role", async (tx, emit) => {
      await tx.authz.deleteRoles(rows.map((r) => r.id));
      for (const r of rows) await emit("role:deleted", toRoleDto(r));
    });
  }

  return {
    requireRole,
    removeRoles,
    async create(poolId: string, req: CreateRoleRequest, origin: EventOrigin): Promise<RoleDto> {
      const [dto] = await createMany(poolId, origin, [req]);
      return dto!;
    },
    /** All or nothing: one taken code and none is created. */
    createMany,
    async get(poolId: string, code: string, namespace?: string): Promise<RoleDto> {
      return toRoleDto(await requireRole(poolId, code, namespace));
    },
    async list(poolId: string, q: ListRolesQuery) {
      const ns = await resolveNamespace(repos, poolId, q.namespace);
      const r = await repos.authz.listRoles(ns.id, q.keywords, page(q));
      return { totalCount: r.totalCount, list: r.list.map((row) => toRoleDto(row)) };
    },
    /** `list-permission-namespace-roles`: a namespace's roles, by a piece of their code or name. */
    async ofNamespace(poolId: string, q: { code: string; page?: number; limit?: number; query?: string }) {
      const ns = await resolveNamespace(repos, poolId, q.code);
      const r = await repos.authz.listRoles(ns.id, q.query, page(q));
      return {
        totalCount: r.totalCount,
        list: r.list.map((row) => ({
          name: row.name,
          code: row.code,
          ...(row.description ? { description: row.description } : {}),
          namespace: row.namespace_code,
          updatedAt: new Date(row.updated_at).toISOString(),
        })),
      };
    },
    async update(poolId: string, req: UpdateRoleRequest, origin: EventOrigin): Promise<void> {
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
      await write(poolId, origin, "role", async (tx, emit) => {
        try {
          await tx.authz.updateRole(role.id, set);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("ROLE_EXISTS");
          throw err;
        }
        await emit("role:updated", toRoleDto({ ...role, ...set }));
      });
    },
    async removeBatch(poolId: string, req: DeleteRolesRequest, origin: EventOrigin): Promise<void> {
      const ns = await resolveNamespace(repos, poolId, req.namespace);
      const rows = await repos.authz.findRolesByCodes(ns.id, req.codeList);
      await removeRoles(
        poolId,
        rows.map((r) => ({ ...r, namespace_code: ns.code, namespace_name: ns.name })),
        origin,
      );
    },
    async assign(poolId: string, req: AssignRoleRequest, origin: EventOrigin): Promise<void> {
      const role = await requireRole(poolId, req.code, req.namespace);
      await assignMany(poolId, origin, [role], req.targets, {
        enable_time: req.enableTime ?? null,
        end_time: req.endTime ?? null,
      });
    },
    async revoke(poolId: string, req: RevokeRoleRequest, origin: EventOrigin): Promise<void> {
      const role = await requireRole(poolId, req.code, req.namespace);
      await assignMany(poolId, origin, [role], req.targets);
    },
    /** `assign-role-batch`: every role to every target, all or nothing. */
    async assignBatch(poolId: string, req: RoleBatchRequest, origin: EventOrigin): Promise<void> {
      const roles = [];
      for (const r of req.roles) roles.push(await requireRole(poolId, r.code, r.namespace));
      await assignMany(poolId, origin, roles, req.targets, { enable_time: null, end_time: null });
    },
    async revokeBatch(poolId: string, req: RoleBatchRequest, origin: EventOrigin): Promise<void> {
      const roles = [];
      for (const r of req.roles) roles.push(await requireRole(poolId, r.code, r.namespace));
      await assignMany(poolId, origin, roles, req.targets);
    },
    /** `multiple-namespace-delete-roles-batch`: roles by code and namespace; unknown ones are skipped. */
    async removeAcrossNamespaces(
      poolId: string,
      req: DeleteRolesAcrossNamespacesRequest,
      origin: EventOrigin,
    ): Promise<void> {
      const rows: RoleWithNamespace[] = [];
      for (const r of req.roleList) {
        const ns = await repos.authz.findNamespace(poolId, r.namespace);
        const role = ns ? await repos.authz.findRole(ns.id, r.code) : undefined;
        if (role && !rows.some((x) => x.id === role.id)) rows.push(role);
      }
      await removeRoles(poolId, rows, origin);
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
      const ns = await resolveNamespace(repos, poolId, q.namespace);
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
