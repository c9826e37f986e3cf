import type {
  AuthorizedResourceDto,
  AuthorizeResourcesRequest,
  CreateResourceRequest,
  ListResourcesQuery,
  ResourceDto,
  ResourceType,
  TargetResourcesQuery,
  UpdateResourceRequest,
  UserResourcesQuery,
} from "@gatehouse/protocol";
import { ApiError, bilingual } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import type { NamespaceRow } from "../../storage/repos/authz-model.js";
import type { GrantRow, ResourceRow, Subject } from "../../storage/repos/authz-resources.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { EventOrigin } from "../events/scope.js";
import { type AuthzDeps, page } from "./deps.js";
import { grantLine, policyLines, standingOf } from "./effective.js";
import { Grants } from "./evaluate.js";
import { requireUser } from "./members.js";
import { resolveNamespace } from "./namespaces.js";
import { createAuthzWrite } from "./write.js";

export function toResourceDto(row: ResourceRow, namespaceCode: string): ResourceDto {
  return {
    code: row.code,
    type: row.type as ResourceType,
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.description !== null ? { description: row.description } : {}),
    actions: JSON.parse(row.actions),
    ...(row.api_identifier !== null ? { apiIdentifier: row.api_identifier } : {}),
    namespace: namespaceCode,
    linkedToTenant: false,
  };
}

/** What a set of grant rows says per resource, one entry per resource and effect. */
async function authorizedDtos(
  repos: Repositories,
  ns: NamespaceRow,
  rows: GrantRow[],
  resourceType?: string,
): Promise<AuthorizedResourceDto[]> {
  const picked = rows.filter((r) => !resourceType || r.resource_type === resourceType);
  const resources = await repos.authz.findResourcesByCodes(ns.id, [
    ...new Set(picked.map((r) => r.resource)),
  ]);
  const byCode = new Map(resources.map((r) => [r.code, r]));
  return picked.map((r) => {
    const resource = byCode.get(r.resource);
    return {
      resourceCode: r.resource,
      resourceType: r.resource_type as ResourceType,
      ...(resource?.description ? { description: resource.description } : {}),
      apiIdentifier: resource?.api_identifier ?? "",
      actions: JSON.parse(r.actions),
      effect: r.effect === "DENY" ? "DENY" : "ALLOW",
    };
  });
}

/**
 * What a user may do in a namespace, one entry per resource: their own, their groups' and their
 * active roles' grants and data policies folded (DENY taken off), only what is left allowed.
 */
export async function effectiveResources(
  repos: Repositories,
  ns: NamespaceRow,
  userId: string,
  now: number,
  resourceType?: string,
): Promise<AuthorizedResourceDto[]> {
  const standing = await standingOf(repos, userId, now);
  const [rows, fromPolicies] = await Promise.all([
    repos.authz.grantsOf(standing.subjects, ns.id),
    policyLines(repos, standing.subjects, ns.code),
  ]);
  const types = new Map<string, string>();
  for (const r of rows) types.set(r.resource, r.resource_type);
  const grants = new Grants([...rows.map(grantLine), ...fromPolicies]);
  const nodes = [...grants.allowedNodes()].filter(
    ([code]) => !resourceType || (types.get(code) ?? "DATA") === resourceType,
  );
  const resources = await repos.authz.findResourcesByCodes(
    ns.id,
    nodes.map(([code]) => code),
  );
  const byCode = new Map(resources.map((r) => [r.code, r]));
  return nodes.map(([code, actions]) => {
    const resource = byCode.get(code);
    return {
      resourceCode: code,
      resourceType: (types.get(code) ?? "DATA") as ResourceType,
      ...(resource?.description ? { description: resource.description } : {}),
      apiIdentifier: resource?.api_identifier ?? "",
      actions,
      effect: "ALLOW" as const,
    };
  });
}

/** Grants one call may write: its transaction stays short (docs/architecture.md, habit 12). */
export const MAX_GRANTS_PER_CALL = 1000;

/** Common resources, their grants to users, roles and groups, and what each was granted. */
export function createResources(deps: AuthzDeps) {
  const { repos, clock } = deps;
  const write = createAuthzWrite(deps);

  async function requireResource(poolId: string, code: string, namespace?: string) {
    const ns = await resolveNamespace(repos, poolId, namespace);
    const row = await repos.authz.findResource(ns.id, code);
    if (!row) throw new ApiError("RESOURCE_NOT_FOUND");
    return { ns, row };
  }

  /** A grant's subject: a user by id, a role by code in the namespace, a group by code. */
  async function subjectsOf(poolId: string, ns: NamespaceRow, type: string, identifiers: string[]) {
    const out: Subject[] = [];
    for (const identifier of identifiers) {
      if (type === "USER") out.push({ type, id: (await requireUser(repos, poolId, identifier)).id });
      else if (type === "ROLE") {
        const role = await repos.authz.findRole(ns.id, identifier);
        if (!role) throw new ApiError("ROLE_NOT_FOUND");
        out.push({ type, id: role.id });
      } else if (type === "GROUP") {
        const group = await repos.authz.findGroup(poolId, identifier);
        if (!group) throw new ApiError("GROUP_NOT_FOUND");
        out.push({ type, id: group.id });
      } else throw new ApiError("TARGET_TYPE_UNSUPPORTED");
    }
    return out;
  }

  async function createMany(
    poolId: string,
    origin: EventOrigin,
    reqs: Omit<CreateResourceRequest, "namespace">[],
    namespace?: string,
  ): Promise<ResourceDto[]> {
    const now = clock.now();
    const ns = await resolveNamespace(repos, poolId, namespace);
    const rows: ResourceRow[] = reqs.map((req) => ({
      id: newId(),
      pool_id: poolId,
      namespace_id: ns.id,
      code: req.code,
      type: req.type,
      name: req.name ?? null,
      description: req.description ?? null,
      api_identifier: req.apiIdentifier ?? null,
      actions: JSON.stringify(
        (req.actions ?? []).map((a) => ({ name: a.name, description: a.description ?? "" })),
      ),
      created_at: now,
      updated_at: now,
    }));
    await write(poolId, origin, "resource", async (tx, emit) => {
      for (const row of rows) {
        try {
          await tx.authz.insertResource(row);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("RESOURCE_EXISTS");
          throw err;
        }
        await emit("resource:created", toResourceDto(row, ns.code));
      }
    });
    return rows.map((row) => toResourceDto(row, ns.code));
  }

  return {
    async create(poolId: string, req: CreateResourceRequest, origin: EventOrigin): Promise<ResourceDto> {
      const [dto] = await createMany(poolId, origin, [req], req.namespace);
      return dto!;
    },
    /** All or nothing: one taken code and none is created. */
    createMany,
    /** The resources of these codes that exist. */
    async getMany(poolId: string, codes: string | string[], namespace?: string): Promise<ResourceDto[]> {
      const ns = await resolveNamespace(repos, poolId, namespace);
      const rows = await repos.authz.findResourcesByCodes(ns.id, [codes].flat());
      return rows.map((row) => toResourceDto(row, ns.code));
    },
    /** Deletes the resources of these codes or ids that exist, and their grants. */
    async removeMany(
      poolId: string,
      req: { namespace?: string; codeList?: string[]; ids?: string[] },
      origin: EventOrigin,
    ) {
      const ns = await resolveNamespace(repos, poolId, req.namespace);
      const rows = [
        ...(await repos.authz.findResourcesByCodes(ns.id, req.codeList ?? [])),
        ...(await repos.authz.findResourcesByIds(ns.id, req.ids ?? [])),
      ].filter((r, i, all) => all.findIndex((x) => x.id === r.id) === i);
      if (rows.length === 0) return;
      await write(poolId, origin, "resource", async (tx, emit) => {
        for (const row of rows) {
          await tx.authz.deleteResource(row);
          await emit("resource:deleted", toResourceDto(row, ns.code));
        }
      });
    },
    async get(poolId: string, code: string, namespace?: string): Promise<ResourceDto> {
      const { ns, row } = await requireResource(poolId, code, namespace);
      return toResourceDto(row, ns.code);
    },
    async list(poolId: string, q: ListResourcesQuery) {
      const ns = await resolveNamespace(repos, poolId, q.namespace);
      const r = await repos.authz.listResources(ns.id, q.type, page(q));
      return { totalCount: r.totalCount, list: r.list.map((row) => toResourceDto(row, ns.code)) };
    },
    async update(poolId: string, req: UpdateResourceRequest, origin: EventOrigin): Promise<ResourceDto> {
      const { ns, row } = await requireResource(poolId, req.code, req.namespace);
      const set = {
        ...(req.type ? { type: req.type } : {}),
        ...(req.name !== undefined ? { name: req.name } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        ...(req.apiIdentifier !== undefined ? { api_identifier: req.apiIdentifier } : {}),
        ...(req.actions
          ? {
              actions: JSON.stringify(
                req.actions.map((a) => ({ name: a.name, description: a.description ?? "" })),
              ),
            }
          : {}),
        updated_at: clock.now(),
      };
      await write(poolId, origin, "resource", async (tx, emit) => {
        await tx.authz.updateResource(row.id, set);
        await emit("resource:updated", toResourceDto({ ...row, ...set }, ns.code));
      });
      return toResourceDto({ ...row, ...set }, ns.code);
    },
    async remove(poolId: string, origin: EventOrigin, code: string, namespace?: string): Promise<void> {
      const { ns, row } = await requireResource(poolId, code, namespace);
      await write(poolId, origin, "resource", async (tx, emit) => {
        await tx.authz.deleteResource(row);
        await emit("resource:deleted", toResourceDto(row, ns.code));
      });
    },
    /**
     * Grant (or, with `effect: DENY`, take away) actions on resources; a later call for the same
     * subject, resource and effect replaces its actions. The resources need not be created first.
     */
    async authorize(poolId: string, req: AuthorizeResourcesRequest, origin: EventOrigin): Promise<void> {
      const now = clock.now();
      const size = req.list.reduce((n, item) => n + item.targetIdentifiers.length * item.resources.length, 0);
      if (size > MAX_GRANTS_PER_CALL)
        throw new ApiError("INVALID_REQUEST", {
          texts: bilingual(
            `一次 authorize-resources 调用最多写入 ${MAX_GRANTS_PER_CALL} 条授权（主体数 × 资源数），本次为 ${size}`,
            `One authorize-resources call writes at most ${MAX_GRANTS_PER_CALL} grants (targets × resources); this one ${size}`,
          ),
        });
      const ns = await resolveNamespace(repos, poolId, req.namespace);
      const plan: GrantRow[] = [];
      for (const item of req.list) {
        for (const subject of await subjectsOf(poolId, ns, item.targetType, item.targetIdentifiers)) {
          for (const r of item.resources) {
            plan.push({
              namespace_id: ns.id,
              subject_type: subject.type,
              subject_id: subject.id,
              resource: r.code,
              effect: r.effect ?? "ALLOW",
              resource_type: r.resourceType,
              actions: JSON.stringify([...new Set(r.actions)]),
              created_at: now,
            });
          }
        }
      }
      await write(poolId, origin, "grant", async (tx, emit) => {
        for (const row of plan) await tx.authz.upsertGrant(row);
        // ALLOW gives (`permission:add`), DENY takes away (`permission:revoke`): docs/events.md.
        for (const [name, effect] of [
          ["permission:add", "ALLOW"],
          ["permission:revoke", "DENY"],
        ] as const) {
          const list = req.list
            .map((item) => ({
              ...item,
              resources: item.resources.filter((r) => (r.effect ?? "ALLOW") === effect),
            }))
            .filter((item) => item.resources.length > 0);
          if (list.length > 0) await emit(name, { namespace: ns.code, list });
        }
      });
    },
    async ofUser(poolId: string, q: UserResourcesQuery) {
      const user = await requireUser(repos, poolId, q.userId, q.userIdType);
      const now = clock.now();
      const ns = await resolveNamespace(repos, poolId, q.namespace);
      const list = await effectiveResources(repos, ns, user.id, now, q.resourceType);
      return { totalCount: list.length, list };
    },
    async ofRole(poolId: string, q: TargetResourcesQuery) {
      const ns = await resolveNamespace(repos, poolId, q.namespace);
      const role = await repos.authz.findRole(ns.id, q.code);
      if (!role) throw new ApiError("ROLE_NOT_FOUND");
      const rows = await repos.authz.grantsOf([{ type: "ROLE", id: role.id }], ns.id);
      const list = await authorizedDtos(repos, ns, rows, q.resourceType);
      return { totalCount: list.length, list };
    },
    async ofGroup(poolId: string, q: TargetResourcesQuery) {
      const ns = await resolveNamespace(repos, poolId, q.namespace);
      const group = await repos.authz.findGroup(poolId, q.code);
      if (!group) throw new ApiError("GROUP_NOT_FOUND");
      const rows = await repos.authz.grantsOf([{ type: "GROUP", id: group.id }], ns.id);
      return authorizedDtos(repos, ns, rows, q.resourceType);
    },
  };
}
