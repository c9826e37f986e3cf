import type {
  CreateNamespaceRequest,
  ListNamespacesQuery,
  NamespaceDto,
  UpdateNamespaceRequest,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import type { NamespaceRow } from "../../storage/repos/authz-model.js";
import type { Repositories } from "../../storage/repos/index.js";
import { type AuthzDeps, DEFAULT_NAMESPACE, page } from "./deps.js";
import { createAuthzWrite } from "./write.js";

export function toNamespaceDto(row: NamespaceRow): NamespaceDto {
  return {
    code: row.code,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    status: 1,
  };
}

/**
 * The namespace a request names (`default` when it names none). `default` exists in every pool
 * without being created; other unknown codes answer NAMESPACE_NOT_FOUND.
 */
export async function resolveNamespace(
  repos: Repositories,
  poolId: string,
  code: string | undefined,
  now: number,
): Promise<NamespaceRow> {
  const wanted = code ?? DEFAULT_NAMESPACE;
  const found = await repos.authz.findNamespace(poolId, wanted);
  if (found) return found;
  if (wanted !== DEFAULT_NAMESPACE) throw new ApiError("NAMESPACE_NOT_FOUND");
  await repos.authz.insertNamespaceIfMissing({
    id: newId(),
    pool_id: poolId,
    code: DEFAULT_NAMESPACE,
    name: "Default",
    description: null,
    created_at: now,
    updated_at: now,
  });
  const created = await repos.authz.findNamespace(poolId, wanted);
  if (!created) throw new ApiError("NAMESPACE_NOT_FOUND");
  return created;
}

/** Permission namespaces: createPermissionNamespace … and the older createNamespace family. */
export function createNamespaces(deps: AuthzDeps) {
  const { repos, clock } = deps;
  const write = createAuthzWrite(deps);
  return {
    async create(poolId: string, req: CreateNamespaceRequest): Promise<NamespaceDto> {
      const now = clock.now();
      const row: NamespaceRow = {
        id: newId(),
        pool_id: poolId,
        code: req.code,
        name: req.name ?? req.code,
        description: req.description ?? null,
        created_at: now,
        updated_at: now,
      };
      // Data policies name namespaces by code: a namespace of a code they name makes them grant again.
      await write(poolId, "namespace", async (tx, emit) => {
        try {
          await tx.authz.insertNamespace(row);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("NAMESPACE_EXISTS");
          throw err;
        }
        await emit("namespace:created", toNamespaceDto(row));
      });
      return toNamespaceDto(row);
    },
    async get(poolId: string, code: string): Promise<NamespaceDto> {
      return toNamespaceDto(await resolveNamespace(repos, poolId, code, clock.now()));
    },
    async list(poolId: string, q: ListNamespacesQuery) {
      const r = await repos.authz.listNamespaces(poolId, q.query ?? q.keywords, page(q));
      return { totalCount: r.totalCount, list: r.list.map(toNamespaceDto) };
    },
    async update(poolId: string, req: UpdateNamespaceRequest): Promise<NamespaceDto> {
      const ns = await resolveNamespace(repos, poolId, req.code, clock.now());
      if (req.newCode && req.newCode !== ns.code && ns.code === DEFAULT_NAMESPACE)
        throw new ApiError("NAMESPACE_PROTECTED");
      const set = {
        ...(req.newCode ? { code: req.newCode } : {}),
        ...(req.name !== undefined ? { name: req.name } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        updated_at: clock.now(),
      };
      // Data policies name namespaces by code: a renamed namespace changes what they grant.
      await write(poolId, "namespace", async (tx, emit) => {
        try {
          await tx.authz.updateNamespace(ns.id, set);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("NAMESPACE_EXISTS");
          throw err;
        }
        await emit("namespace:updated", { ...toNamespaceDto({ ...ns, ...set }), oldCode: ns.code });
      });
      return toNamespaceDto({ ...ns, ...set });
    },
    async remove(poolId: string, code: string): Promise<void> {
      if (code === DEFAULT_NAMESPACE) throw new ApiError("NAMESPACE_PROTECTED");
      const ns = await repos.authz.findNamespace(poolId, code);
      if (!ns) throw new ApiError("NAMESPACE_NOT_FOUND");
      await write(poolId, "namespace", async (tx, emit) => {
        await tx.authz.deleteNamespace(ns.id);
        await emit("namespace:deleted", toNamespaceDto(ns));
      });
    },
  };
}
