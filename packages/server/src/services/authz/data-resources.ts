import type {
  DataResourceDto,
  DataResourceType,
  ListDataResourcesQuery,
  TreeNodeInput,
  UpdateDataResourceRequest,
} from "@gatehouse/protocol";
import { ApiError, bilingual, type CheckAnswer } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import type { DataResourceRow } from "../../storage/repos/authz-resources.js";
import type { EventOrigin } from "../events/scope.js";
import { type AuthzDeps, page } from "./deps.js";
import { resolveNamespace } from "./namespaces.js";
import { createAuthzWrite } from "./write.js";

/** What every create-*-data-resource body holds; `struct` by kind. */
export interface NewDataResource {
  resourceCode: string;
  resourceName: string;
  namespaceCode: string;
  description?: string;
  actions: string[];
  struct: string | string[] | TreeNodeInput[];
}

/** A tree holds at most this many nodes, this deep: enough for a menu or an org chart. */
export const MAX_TREE_NODES = 5000;
export const MAX_TREE_DEPTH = 16;

/** Every node of a tree with its path (`code/child/…`, from the resource code down). */
export function* treePaths(
  nodes: readonly TreeNodeInput[],
  prefix: string,
  depth = 1,
): Iterable<{ path: string; node: TreeNodeInput; depth: number }> {
  for (const node of nodes) {
    const path = `${prefix}/${node.code}`;
    yield { path, node, depth };
    if (node.children) yield* treePaths(node.children, path, depth + 1);
  }
}

function assertTreeBounded(nodes: readonly TreeNodeInput[]): void {
  let count = 0;
  const seen = new Set<string>();
  for (const { path, depth } of treePaths(nodes, "")) {
    count++;
    if (count > MAX_TREE_NODES || depth > MAX_TREE_DEPTH)
      throw new ApiError("INVALID_REQUEST", {
        texts: bilingual(
          `树形数据资源最多 ${MAX_TREE_NODES} 个节点、${MAX_TREE_DEPTH} 层`,
          `A tree data resource holds at most ${MAX_TREE_NODES} nodes, ${MAX_TREE_DEPTH} deep`,
        ),
      });
    if (seen.has(path))
      throw new ApiError("INVALID_REQUEST", {
        texts: bilingual(
          `同级树节点的 code 重复：${path.slice(1)}`,
          `Two sibling tree nodes share the code of ${path.slice(1)}`,
        ),
      });
    seen.add(path);
  }
}

function assertStructFits(type: DataResourceType, struct: unknown): void {
  const ok =
    type === "STRING"
      ? typeof struct === "string"
      : Array.isArray(struct) &&
        struct.every((v) => (type === "ARRAY" ? typeof v === "string" : typeof v === "object"));
  if (!ok)
    throw new ApiError("INVALID_REQUEST", {
      texts: bilingual(`struct 与 ${type} 类型的数据资源不符`, `struct does not fit a ${type} data resource`),
    });
  if (type === "TREE") assertTreeBounded(struct as TreeNodeInput[]);
}

export function toDataResourceDto(row: DataResourceRow, namespaceCode: string): DataResourceDto {
  return {
    resourceName: row.name,
    resourceCode: row.code,
    type: row.type as DataResourceType,
    ...(row.description !== null ? { description: row.description } : {}),
    struct: JSON.parse(row.struct),
    actions: JSON.parse(row.actions),
    namespaceCode,
  };
}

/** Data resources of three kinds — string, array, tree — each with its actions. */
export function createDataResources(deps: AuthzDeps) {
  const { repos, clock } = deps;
  const write = createAuthzWrite(deps);
  async function requireDataResource(poolId: string, namespaceCode: string, code: string) {
    const ns = await resolveNamespace(repos, poolId, namespaceCode);
    const row = await repos.authz.findDataResource(ns.id, code);
    if (!row) throw new ApiError("RESOURCE_NOT_FOUND");
    return { ns, row };
  }

  return {
    requireDataResource,
    async create(
      poolId: string,
      type: DataResourceType,
      req: NewDataResource,
      origin: EventOrigin,
    ): Promise<DataResourceDto> {
      assertStructFits(type, req.struct);
      const now = clock.now();
      const ns = await resolveNamespace(repos, poolId, req.namespaceCode);
      const row: DataResourceRow = {
        id: newId(),
        pool_id: poolId,
        namespace_id: ns.id,
        code: req.resourceCode,
        name: req.resourceName,
        description: req.description ?? null,
        type,
        struct: JSON.stringify(req.struct),
        actions: JSON.stringify([...new Set(req.actions)]),
        created_at: now,
        updated_at: now,
      };
      await write(poolId, origin, "data-resource", async (tx, emit) => {
        try {
          await tx.authz.insertDataResource(row);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("RESOURCE_EXISTS");
          throw err;
        }
        await emit("resource:created", toDataResourceDto(row, ns.code));
      });
      const { namespaceCode: _, ...dto } = toDataResourceDto(row, ns.code);
      return dto;
    },
    /** `isValid`: the code and the name are free in the namespace (docs/authorization.md §Batch calls). */
    async checkFree(
      poolId: string,
      q: { namespaceCode: string; resourceCode?: string; resourceName?: string },
    ): Promise<CheckAnswer> {
      const ns = await resolveNamespace(repos, poolId, q.namespaceCode);
      if (q.resourceCode !== undefined && (await repos.authz.findDataResource(ns.id, q.resourceCode)))
        return {
          isValid: false,
          why: bilingual("此 code 的数据资源已存在", "A data resource with this code already exists"),
        };
      if (q.resourceName !== undefined && (await repos.authz.findDataResourceByName(ns.id, q.resourceName)))
        return {
          isValid: false,
          why: bilingual("此名称的数据资源已存在", "A data resource with this name already exists"),
        };
      return { isValid: true };
    },
    async get(poolId: string, namespaceCode: string, code: string): Promise<DataResourceDto> {
      const { ns, row } = await requireDataResource(poolId, namespaceCode, code);
      return toDataResourceDto(row, ns.code);
    },
    async list(poolId: string, q: ListDataResourcesQuery) {
      const codes = q.namespaceCodes === undefined ? undefined : [q.namespaceCodes].flat();
      let ids: string[] | undefined;
      if (codes) {
        ids = [];
        for (const code of codes) {
          const ns = await repos.authz.findNamespace(poolId, code);
          if (ns) ids.push(ns.id);
        }
      }
      const r = await repos.authz.listDataResources(poolId, ids, q.query, page(q));
      return {
        totalCount: r.totalCount,
        list: r.list.map((d) => ({
          resourceName: d.name,
          resourceCode: d.code,
          type: d.type as DataResourceType,
          ...(d.description !== null ? { description: d.description } : {}),
          namespaceCode: d.namespace_code,
          namespaceName: d.namespace_name,
          authorizationNum: 0,
          updatedAt: new Date(d.updated_at).toISOString(),
        })),
      };
    },
    async update(
      poolId: string,
      req: UpdateDataResourceRequest,
      origin: EventOrigin,
    ): Promise<DataResourceDto> {
      const { ns, row } = await requireDataResource(poolId, req.namespaceCode, req.resourceCode);
      if (req.struct !== undefined) assertStructFits(row.type as DataResourceType, req.struct);
      const set = {
        ...(req.resourceName !== undefined ? { name: req.resourceName } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        ...(req.struct !== undefined ? { struct: JSON.stringify(req.struct) } : {}),
        ...(req.actions !== undefined ? { actions: JSON.stringify([...new Set(req.actions)]) } : {}),
        updated_at: clock.now(),
      };
      await write(poolId, origin, "data-resource", async (tx, emit) => {
        await tx.authz.updateDataResource(row.id, set);
        await emit("resource:updated", toDataResourceDto({ ...row, ...set }, ns.code));
      });
      const { namespaceCode: _, ...dto } = toDataResourceDto({ ...row, ...set }, ns.code);
      return dto;
    },
    /** Deletes the resource and strips the permissions naming it from the pool's data policies. */
    async remove(poolId: string, namespaceCode: string, code: string, origin: EventOrigin): Promise<void> {
      const { ns, row } = await requireDataResource(poolId, namespaceCode, code);
      const prefix = `${ns.code}/${row.code}/`;
      await write(poolId, origin, "data-resource", async (tx, emit) => {
        await tx.authz.deleteDataResource(row.id);
        for (const policy of await tx.authz.listAllPolicies(poolId)) {
          const statements = JSON.parse(policy.statements) as { effect: string; permissions: string[] }[];
          const kept = statements.map((s) => ({
            ...s,
            permissions: s.permissions.filter((p) => !p.startsWith(prefix)),
          }));
          if (kept.some((s, i) => s.permissions.length !== statements[i]!.permissions.length)) {
            await tx.authz.updatePolicy(policy.id, {
              statements: JSON.stringify(kept),
              updated_at: clock.now(),
            });
          }
        }
        await emit("resource:deleted", toDataResourceDto(row, ns.code));
      });
    },
  };
}
