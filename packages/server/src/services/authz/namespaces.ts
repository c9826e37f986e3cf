import type {
  CheckNamespaceExistsRequest,
  CreateNamespaceRequest,
  ListNamespacesQuery,
  NamespaceDto,
  UpdateNamespaceRequest,
} from "@gatehouse/protocol";
import { ApiError, bilingual, type CheckAnswer } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import { isUniqueViolation } from "../../storage/db.js";
import type { NamespaceRow } from "../../storage/repos/authz-model.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { EventOrigin } from "../events/scope.js";
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
 * The namespace a request names (`default` when it names none). Every pool has `default` from its
 * creation (the pools repo's insertPool, migration 0020 for older pools) and it cannot be deleted; other unknown codes answer
 * NAMESPACE_NOT_FOUND. A read never writes: a refused request changes nothing.
 */
export async function resolveNamespace(
  repos: Repositories,
  poolId: string,
  code: string | undefined,
): Promise<NamespaceRow> {
  const found = await repos.authz.findNamespace(poolId, code ?? DEFAULT_NAMESPACE);
  if (!found) throw new ApiError("NAMESPACE_NOT_FOUND");
  return found;
}

/** Permission namespaces: createPermissionNamespace … and the older createNamespace family. */
export function createNamespaces(deps: AuthzDeps) {
  const { repos, clock } = deps;
  const write = createAuthzWrite(deps);

  async function createMany(
    poolId: string,
    reqs: CreateNamespaceRequest[],
    origin: EventOrigin,
  ): Promise<NamespaceDto[]> {
    const now = clock.now();
    const rows: NamespaceRow[] = reqs.map((req) => ({
      id: newId(),
      pool_id: poolId,
      code: req.code,
      name: req.name ?? req.code,
      description: req.description ?? null,
      created_at: now,
      updated_at: now,
    }));
    // Data policies name namespaces by code: a namespace of a code they name makes them grant again.
    await write(poolId, origin, "namespace", async (tx, emit) => {
      for (const row of rows) {
        try {
          await tx.authz.insertNamespace(row);
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiError("NAMESPACE_EXISTS");
          throw err;
        }
        await emit("namespace:created", toNamespaceDto(row));
      }
    });
    return rows.map(toNamespaceDto);
  }

  async function removeRows(poolId: string, rows: NamespaceRow[], origin: EventOrigin): Promise<void> {
    if (rows.length === 0) return;
    await write(poolId, origin, "namespace", async (tx, emit) => {
      for (const ns of rows) {
        await tx.authz.deleteNamespace(ns.id);
        await emit("namespace:deleted", toNamespaceDto(ns));
      }
    });
  }

  return {
    async create(poolId: string, req: CreateNamespaceRequest, origin: EventOrigin): Promise<NamespaceDto> {
      const [dto] = await createMany(poolId, [req], origin);
      return dto!;
    },
    /** All or nothing: one taken code and none is created. */
    createMany,
    async get(poolId: string, code: string): Promise<NamespaceDto> {
      return toNamespaceDto(await resolveNamespace(repos, poolId, code));
    },
    async list(poolId: string, q: ListNamespacesQuery) {
      const r = await repos.authz.listNamespaces(poolId, q.query ?? q.keywords, page(q));
      return { totalCount: r.totalCount, list: r.list.map(toNamespaceDto) };
    },
    async update(poolId: string, req: UpdateNamespaceRequest, origin: EventOrigin): Promise<NamespaceDto> {
      const ns = await resolveNamespace(repos, poolId, req.code);
      if (req.newCode && req.newCode !== ns.code && ns.code === DEFAULT_NAMESPACE)
        throw new ApiError("NAMESPACE_PROTECTED");
      const set = {
        ...(req.newCode ? { code: req.newCode } : {}),
        ...(req.name !== undefined ? { name: req.name } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        updated_at: clock.now(),
      };
      // Data policies name namespaces by code: a renamed namespace changes what they grant.
      await write(poolId, origin, "namespace", async (tx, emit) => {
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
    async remove(poolId: string, code: string, origin: EventOrigin): Promise<void> {
      if (code === DEFAULT_NAMESPACE) throw new ApiError("NAMESPACE_PROTECTED");
      const ns = await repos.authz.findNamespace(poolId, code);
      if (!ns) throw new ApiError("NAMESPACE_NOT_FOUND");
      await removeRows(poolId, [ns], origin);
    },
    /** Deletes the namespaces of these codes that exist (`default` cannot be deleted). */
    async removeMany(poolId: string, codes: string[], origin: EventOrigin): Promise<void> {
      if (codes.includes(DEFAULT_NAMESPACE)) throw new ApiError("NAMESPACE_PROTECTED");
      await removeRows(poolId, await repos.authz.findNamespacesByCodes(poolId, codes), origin);
    },
    /** The namespaces of these codes that exist. */
    async getMany(poolId: string, codes: string | string[]): Promise<NamespaceDto[]> {
      return (await repos.authz.findNamespacesByCodes(poolId, [codes].flat())).map(toNamespaceDto);
    },
    /** `isValid`: the code and the name are free (docs/authorization.md §Batch calls). */
    async checkExists(poolId: string, req: CheckNamespaceExistsRequest): Promise<CheckAnswer> {
      if (
        req.code !== undefined &&
        (req.code === DEFAULT_NAMESPACE || (await repos.authz.findNamespace(poolId, req.code)))
      )
        return {
          isValid: false,
          why: bilingual("此 code 的权限空间已存在", "A namespace with this code already exists"),
        };
      if (req.name !== undefined && (await repos.authz.findNamespaceByName(poolId, req.name)))
        return {
          isValid: false,
          why: bilingual("此名称的权限空间已存在", "A namespace with this name already exists"),
        };
      return { isValid: true };
    },
  };
}
