import type {
  AuthorizeDataPoliciesRequest,
  CreateDataPolicyRequest,
  DataPolicyDto,
  DataPolicyListItem,
  DataStatement,
  ListDataPoliciesQuery,
  ListDataPolicyTargetsQuery,
  RevokeDataPolicyRequest,
  TreeNodeInput,
  UpdateDataPolicyRequest,
} from "@gatehouse/protocol";
import { ApiError, bilingual, type CheckAnswer } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import type { DataPolicyRow, Subject } from "../../storage/repos/authz-resources.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { EventOrigin } from "../events/scope.js";
import { treePaths } from "./data-resources.js";
import { type AuthzDeps, page } from "./deps.js";
import { ANY_ACTION } from "./evaluate.js";
import { createAuthzWrite } from "./write.js";

function toPolicyDto(row: DataPolicyRow): DataPolicyDto {
  return {
    policyId: row.id,
    policyName: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/**
 * Each permission names an existing data resource of an existing namespace, one of its actions (or
 * `*`), and — for a tree — an existing node path; string and array resources take no path.
 */
async function assertPermissionsValid(repos: Repositories, poolId: string, statements: DataStatement[]) {
  for (const permission of statements.flatMap((s) => s.permissions)) {
    const parts = permission.split("/");
    const invalid = (zh: string, en: string) =>
      new ApiError("PERMISSION_INVALID", {
        texts: bilingual(`${permission}：${zh}`, `${permission}: ${en}`),
      });
    if (parts.length < 3 || parts.some((p) => p === ""))
      throw invalid("应为 <权限空间>/<资源>/<操作>", "expected <namespace>/<resource>/<action>");
    const ns = await repos.authz.findNamespace(poolId, parts[0]!);
    if (!ns) throw invalid("权限空间不存在", "no such namespace");
    const resource = await repos.authz.findDataResource(ns.id, parts[1]!);
    if (!resource) throw invalid("数据资源不存在", "no such data resource");
    const action = parts.at(-1)!;
    if (action !== ANY_ACTION && !(JSON.parse(resource.actions) as string[]).includes(action))
      throw invalid("数据资源没有此操作", "the data resource has no such action");
    const path = parts.slice(1, -1).join("/");
    if (resource.type !== "TREE") {
      if (parts.length !== 3)
        throw invalid("字符串和数组类型的资源不带路径", "string and array resources take no path");
      continue;
    }
    if (path === resource.code) continue;
    const nodes = JSON.parse(resource.struct) as TreeNodeInput[];
    let found = false;
    for (const n of treePaths(nodes, resource.code)) if (n.path === path) found = true;
    if (!found) throw invalid("树节点不存在", "no such tree node");
  }
}

/** Data policies: statements of permissions, given to users, roles and groups. */
export function createDataPolicies(deps: AuthzDeps) {
  const { repos, clock } = deps;
  const write = createAuthzWrite(deps);
  async function requirePolicy(poolId: string, id: string) {
    const row = await repos.authz.findPolicy(poolId, id);
    if (!row) throw new ApiError("DATA_POLICY_NOT_FOUND");
    return row;
  }

  /** Targets by id (a user's, a role's, a group's); a group may be named by its code too. */
  async function subject(poolId: string, type: string, id: string): Promise<Subject> {
    if (type === "USER") {
      if (!(await repos.users.findUserById(poolId, id))) throw new ApiError("USER_NOT_FOUND");
      return { type, id };
    }
    if (type === "ROLE") {
      const role = await repos.authz.findRoleById(poolId, id);
      if (!role) throw new ApiError("ROLE_NOT_FOUND");
      return { type, id };
    }
    if (type === "GROUP") {
      const group =
        (await repos.authz.findGroupById(poolId, id)) ?? (await repos.authz.findGroup(poolId, id));
      if (!group) throw new ApiError("GROUP_NOT_FOUND");
      return { type, id: group.id };
    }
    throw new ApiError("TARGET_TYPE_UNSUPPORTED");
  }

  async function targetNames(poolId: string, targets: { target_type: string; target_id: string }[]) {
    const ids = (type: string) => targets.filter((t) => t.target_type === type).map((t) => t.target_id);
    const names = new Map<string, string>();
    for (const u of await repos.userAdmin.findUsersByIds(poolId, ids("USER")))
      names.set(u.id, u.name ?? u.username ?? u.email ?? u.phone ?? u.id);
    for (const id of ids("ROLE")) names.set(id, (await repos.authz.findRoleById(poolId, id))?.name ?? id);
    for (const id of ids("GROUP")) names.set(id, (await repos.authz.findGroupById(poolId, id))?.name ?? id);
    return names;
  }

  return {
    async create(poolId: string, req: CreateDataPolicyRequest, origin: EventOrigin): Promise<DataPolicyDto> {
      await assertPermissionsValid(repos, poolId, req.statementList);
      const now = clock.now();
      const row: DataPolicyRow = {
        id: newId(),
        pool_id: poolId,
        name: req.policyName,
        description: req.description ?? null,
        statements: JSON.stringify(req.statementList),
        created_at: now,
        updated_at: now,
      };
      await write(poolId, origin, "data-policy", async (tx, emit) => {
        try {
          await tx.authz.insertPolicy(row);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("DATA_POLICY_EXISTS");
          throw err;
        }
        await emit("data-policy:created", toPolicyDto(row));
      });
      return toPolicyDto(row);
    },
    /** `isValid`: the name is free (docs/authorization.md §Batch calls). */
    async checkNameFree(poolId: string, name: string): Promise<CheckAnswer> {
      return (await repos.authz.findPolicyByName(poolId, name))
        ? {
            isValid: false,
            why: bilingual("此名称的数据策略已存在", "A data policy with this name already exists"),
          }
        : { isValid: true };
    },
    async listSimple(poolId: string, q: { page?: number; limit?: number; query?: string }) {
      const r = await repos.authz.listPolicies(poolId, q.query, page(q));
      return {
        totalCount: r.totalCount,
        list: r.list.map((p) => ({
          policyId: p.id,
          policyName: p.name,
          ...(p.description !== null ? { description: p.description } : {}),
        })),
      };
    },
    /** Who holds a policy, newest first, filtered by type and by a piece of the target's name. */
    async targets(poolId: string, q: ListDataPolicyTargetsQuery) {
      const row = await requirePolicy(poolId, q.policyId);
      const types = q.targetType === undefined ? undefined : [q.targetType].flat();
      const all = (await repos.authz.listPolicyTargets([row.id])).filter(
        (t) => !types || types.includes(t.target_type as (typeof types)[number]),
      );
      const names = await targetNames(poolId, all);
      const picked = all
        .map((t) => ({
          targetIdentifier: t.target_id,
          targetType: t.target_type,
          targetName: names.get(t.target_id) ?? t.target_id,
          authorizationTime: new Date(t.created_at).toISOString(),
        }))
        .filter((t) => !q.query || t.targetName.includes(q.query))
        .sort((a, b) => b.authorizationTime.localeCompare(a.authorizationTime));
      const { offset, limit } = page(q);
      return { totalCount: picked.length, list: picked.slice(offset, offset + limit) };
    },
    async get(poolId: string, id: string): Promise<DataPolicyDto> {
      return toPolicyDto(await requirePolicy(poolId, id));
    },
    async list(
      poolId: string,
      q: ListDataPoliciesQuery,
    ): Promise<{ totalCount: number; list: DataPolicyListItem[] }> {
      const r = await repos.authz.listPolicies(poolId, q.query, page(q));
      const targets = await repos.authz.listPolicyTargets(r.list.map((p) => p.id));
      const names = await targetNames(poolId, targets);
      return {
        totalCount: r.totalCount,
        list: r.list.map((p) => {
          const resources = new Set<string>();
          for (const s of JSON.parse(p.statements) as DataStatement[])
            for (const perm of s.permissions) resources.add(perm.split("/").slice(0, 2).join("/"));
          return {
            policyId: p.id,
            policyName: p.name,
            ...(p.description !== null ? { description: p.description } : {}),
            resourceList: [...resources].map((id) => ({
              resourceId: id,
              resourceName: id.split("/")[1] ?? id,
            })),
            targetList: targets
              .filter((t) => t.policy_id === p.id)
              .map((t) => ({
                id: t.target_id,
                type: t.target_type,
                name: names.get(t.target_id) ?? t.target_id,
              })),
            updatedAt: new Date(p.updated_at).toISOString(),
          };
        }),
      };
    },
    async update(poolId: string, req: UpdateDataPolicyRequest, origin: EventOrigin): Promise<DataPolicyDto> {
      const row = await requirePolicy(poolId, req.policyId);
      if (req.statementList) await assertPermissionsValid(repos, poolId, req.statementList);
      const set = {
        ...(req.policyName !== undefined ? { name: req.policyName } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        ...(req.statementList ? { statements: JSON.stringify(req.statementList) } : {}),
        updated_at: clock.now(),
      };
      await write(poolId, origin, "data-policy", async (tx, emit) => {
        try {
          await tx.authz.updatePolicy(row.id, set);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("DATA_POLICY_EXISTS");
          throw err;
        }
        await emit("data-policy:updated", toPolicyDto({ ...row, ...set }));
      });
      return toPolicyDto({ ...row, ...set });
    },
    async remove(poolId: string, id: string, origin: EventOrigin): Promise<void> {
      const row = await requirePolicy(poolId, id);
      await write(poolId, origin, "data-policy", async (tx, emit) => {
        await tx.authz.deletePolicy(row.id);
        await emit("data-policy:deleted", toPolicyDto(row));
      });
    },
    async authorize(poolId: string, req: AuthorizeDataPoliciesRequest, origin: EventOrigin): Promise<void> {
      for (const id of req.policyIds) await requirePolicy(poolId, id);
      const subjects: Subject[] = [];
      for (const t of req.targetList) subjects.push(await subject(poolId, t.type, t.id));
      await write(poolId, origin, "data-policy-target", async (tx, emit) => {
        await tx.authz.addPolicyTargets(req.policyIds, subjects, clock.now());
        await emit("permission:add", { policyIds: req.policyIds, targetList: req.targetList });
      });
    },
    async revoke(poolId: string, req: RevokeDataPolicyRequest, origin: EventOrigin): Promise<void> {
      const row = await requirePolicy(poolId, req.policyId);
      const target = await subject(poolId, req.targetType, req.targetIdentifier);
      await write(poolId, origin, "data-policy-target", async (tx, emit) => {
        await tx.authz.removePolicyTargets(row.id, [target]);
        await emit("permission:revoke", {
          policyId: row.id,
          targetType: req.targetType,
          targetIdentifier: req.targetIdentifier,
        });
      });
    },
  };
}
