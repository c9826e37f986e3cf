import type {
  CreateGroupRequest,
  CreateOrUpdateGroupRequest,
  GroupDto,
  GroupMembersRequest,
  ListGroupMembersQuery,
  ListGroupsQuery,
  UpdateGroupRequest,
  UserIdType,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isForeignKeyViolation, isUniqueViolation } from "../../storage/db.js";
import type { GroupRow } from "../../storage/repos/authz-model.js";
import type { EventOrigin } from "../events/scope.js";
import { type AuthzDeps, page } from "./deps.js";
import { requireUser, userDtosInOrder } from "./members.js";
import { createAuthzWrite } from "./write.js";

export function toGroupDto(row: GroupRow, withCustomData = false): GroupDto {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    type: row.type,
    metadataSource: [],
    members: [],
    ...(withCustomData ? { customData: row.custom_data ? JSON.parse(row.custom_data) : {} } : {}),
  };
}

/** Groups: CRUD, members, a user's groups. Members are users of the pool, by user id. */
export function createGroups(deps: AuthzDeps) {
  const { repos, clock, publicUrl } = deps;
  const write = createAuthzWrite(deps);
  async function requireGroup(poolId: string, code: string): Promise<GroupRow> {
    const g = await repos.authz.findGroup(poolId, code);
    if (!g) throw new ApiError("GROUP_NOT_FOUND");
    return g;
  }
  async function userIds(poolId: string, ids: string[]): Promise<string[]> {
    const rows = await repos.userAdmin.findUsersByIds(poolId, ids);
    if (rows.length !== new Set(ids).size) throw new ApiError("USER_NOT_FOUND");
    return rows.map((r) => r.id);
  }

  async function createMany(
    poolId: string,
    reqs: CreateGroupRequest[],
    origin: EventOrigin,
  ): Promise<GroupDto[]> {
    const now = clock.now();
    const rows: GroupRow[] = reqs.map((req) => ({
      id: newId(),
      pool_id: poolId,
      code: req.code,
      name: req.name,
      description: req.description ?? "",
      type: req.type || "static",
      custom_data: req.customData ? JSON.stringify(req.customData) : null,
      created_at: now,
      updated_at: now,
    }));
    await write(poolId, origin, "group", async (tx, emit) => {
      for (const row of rows) {
        try {
          await tx.authz.insertGroup(row);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("GROUP_EXISTS");
          throw err;
        }
        await emit("group:created", toGroupDto(row, true));
      }
    });
    return rows.map((r) => toGroupDto(r));
  }

  return {
    requireGroup,
    async create(poolId: string, req: CreateGroupRequest, origin: EventOrigin): Promise<GroupDto> {
      const [dto] = await createMany(poolId, [req], origin);
      return dto!;
    },
    /** All or nothing: one taken code and none is created. */
    createMany,
    /** `create-or-update-group`: by code; `created` says which. */
    async createOrUpdate(poolId: string, req: CreateOrUpdateGroupRequest, origin: EventOrigin) {
      const existing = await repos.authz.findGroup(poolId, req.code);
      if (!existing) return { created: true, data: (await createMany(poolId, [req], origin))[0]! };
      const set = {
        name: req.name,
        description: req.description,
        type: req.type || existing.type,
        updated_at: clock.now(),
      };
      await write(poolId, origin, "group", async (tx, emit) => {
        await tx.authz.updateGroup(existing.id, set);
        await emit("group:updated", toGroupDto({ ...existing, ...set }, true));
      });
      return { created: false, data: toGroupDto({ ...existing, ...set }) };
    },
    /** `get-all-groups`: every group of the pool (at most 1,000), with members when asked. */
    async all(poolId: string, q: { fetchMembers?: boolean; withCustomData?: boolean }): Promise<GroupDto[]> {
      const { list } = await repos.authz.listGroups(poolId, undefined, { offset: 0, limit: 1000 });
      const out: GroupDto[] = [];
      for (const g of list) {
        const dto = toGroupDto(g, q.withCustomData);
        if (q.fetchMembers) {
          const { ids } = await repos.authz.listGroupMemberIds(g.id, { offset: 0, limit: 1000 });
          dto.members = await userDtosInOrder(repos, publicUrl, poolId, ids, {});
        }
        out.push(dto);
      }
      return out;
    },
    async get(poolId: string, code: string, withCustomData = false): Promise<GroupDto> {
      return toGroupDto(await requireGroup(poolId, code), withCustomData);
    },
    async list(poolId: string, q: ListGroupsQuery) {
      const r = await repos.authz.listGroups(poolId, q.keywords, page(q));
      return { totalCount: r.totalCount, list: r.list.map((g) => toGroupDto(g, q.withCustomData)) };
    },
    async update(poolId: string, req: UpdateGroupRequest, origin: EventOrigin): Promise<GroupDto> {
      const g = await requireGroup(poolId, req.code);
      const set = {
        ...(req.newCode ? { code: req.newCode } : {}),
        ...(req.name !== undefined ? { name: req.name } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        ...(req.customData !== undefined ? { custom_data: JSON.stringify(req.customData) } : {}),
        updated_at: clock.now(),
      };
      await write(poolId, origin, "group", async (tx, emit) => {
        try {
          await tx.authz.updateGroup(g.id, set);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("GROUP_EXISTS");
          throw err;
        }
        await emit("group:updated", toGroupDto({ ...g, ...set }, true));
      });
      return toGroupDto({ ...g, ...set });
    },
    async removeBatch(poolId: string, codes: string[], origin: EventOrigin): Promise<void> {
      const rows = await repos.authz.findGroupsByCodes(poolId, codes);
      if (rows.length === 0) return;
      await write(poolId, origin, "group", async (tx, emit) => {
        await tx.authz.deleteGroups(rows.map((g) => g.id));
        for (const g of rows) await emit("group:deleted", toGroupDto(g, true));
      });
    },
    async addMembers(poolId: string, req: GroupMembersRequest, origin: EventOrigin): Promise<void> {
      const g = await requireGroup(poolId, req.code);
      const ids = await userIds(poolId, req.userIds);
      try {
        await write(poolId, origin, "group-members", async (tx, emit) => {
          await tx.authz.addGroupMembers(g.id, ids, clock.now());
          await emit(
            "group:members-added",
            { group: toGroupDto(g), userIds: ids },
            ids.length === 1 ? ids[0] : undefined,
          );
        });
      } catch (err) {
        // A user or the group deleted since they were read (docs/behaviour-and-errors.md §1.10):
        // the same checks again give the answer they would give now; nothing was kept.
        if (!isForeignKeyViolation(err)) throw err;
        await requireGroup(poolId, req.code);
        await userIds(poolId, req.userIds);
        throw err;
      }
    },
    async removeMembers(poolId: string, req: GroupMembersRequest, origin: EventOrigin): Promise<void> {
      const g = await requireGroup(poolId, req.code);
      await write(poolId, origin, "group-members", async (tx, emit) => {
        await tx.authz.removeGroupMembers(g.id, req.userIds);
        await emit(
          "group:members-removed",
          { group: toGroupDto(g), userIds: req.userIds },
          req.userIds.length === 1 ? req.userIds[0] : undefined,
        );
      });
    },
    async members(poolId: string, q: ListGroupMembersQuery) {
      const g = await requireGroup(poolId, q.code);
      const r = await repos.authz.listGroupMemberIds(g.id, page(q));
      return { totalCount: r.totalCount, list: await userDtosInOrder(repos, publicUrl, poolId, r.ids, q) };
    },
    async ofUser(poolId: string, userId: string, userIdType?: UserIdType) {
      const user = await requireUser(repos, poolId, userId, userIdType);
      const list = (await repos.authz.groupsOfUser(user.id)).map((g) => toGroupDto(g));
      return { totalCount: list.length, list };
    },
  };
}
