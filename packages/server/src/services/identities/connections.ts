import type {
  ChangeExtIdpConnStateRequest,
  CreateExtIdpConnRequest,
  CreateExtIdpRequest,
  ExtIdpConnDto,
  ExtIdpDetailDto,
  ExtIdpDto,
  UpdateExtIdpConnRequest,
  UpdateExtIdpRequest,
} from "@gatehouse/protocol";
import type { Kysely } from "kysely";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import { isForeignKeyViolation, isUniqueViolation } from "../../storage/db.js";
import type { ExtIdpConnRow, ExtIdpRow } from "../../storage/repos/ext-idps.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { connTypeFits, isSupported, KNOWN_IDP_TYPES, SECRET_FIELD, upstreamSpec } from "./providers.js";

export interface ConnectionsDeps {
  db: Kysely<Database>;
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
  publicUrl: string;
  allowHttp: boolean;
}

/** Where an upstream sends the browser back for this connection: registered at the upstream. */
export const callbackPath = (connId: string) => `/ext-idp/${encodeURIComponent(connId)}/callback`;

const notFound = () => new ApiError("EXT_IDP_NOT_FOUND");
const connNotFound = () => new ApiError("EXT_IDP_CONN_NOT_FOUND");

export function toExtIdpDto(row: ExtIdpRow): ExtIdpDto {
  return {
    id: row.id,
    name: row.name,
    logo: "",
    ...(row.tenant_id ? { tenantId: row.tenant_id } : {}),
    type: row.type,
  };
}

/** The settings to store: the client secret taken out (sealed apart), the rest as given. */
function splitFields(fields: Record<string, unknown>): { plain: Record<string, unknown>; secret?: string } {
  const { [SECRET_FIELD]: secret, ...plain } = fields;
  if (secret !== undefined && (typeof secret !== "string" || secret.length > 2048))
    throw new ApiError("EXT_IDP_FIELDS_INVALID", { params: { reason: "clientSecret must be a string" } });
  return { plain, ...(typeof secret === "string" && secret !== "" ? { secret } : {}) };
}

/**
 * External identity providers and their connections, for the management API and the admin
 * commands (docs/social-sign-in.md#managing-connections). A connection's client secret is sealed
 * and never shown again.
 */
export function createConnections(deps: ConnectionsDeps) {
  const { repos, clock, box } = deps;

  async function idpOf(poolId: string, id: string): Promise<ExtIdpRow> {
    const row = await repos.extIdps.findExtIdp(poolId, id);
    if (!row) throw notFound();
    return row;
  }
  async function connOf(poolId: string, id: string): Promise<ExtIdpConnRow> {
    const row = await repos.extIdps.findConn(poolId, id);
    if (!row) throw connNotFound();
    return row;
  }

  function toConnDto(row: ExtIdpConnRow, appIds: string[]): ExtIdpConnDto {
    return {
      id: row.id,
      type: row.type,
      extIdpId: row.ext_idp_id,
      logo: row.logo,
      identifier: row.identifier,
      displayName: row.display_name,
      loginOnly: row.login_only === 1,
      associationMode: "challenge",
      challengeBindingMethods: ["email-password", "phone-code", "email-code"],
      fields: JSON.parse(row.fields) as Record<string, unknown>,
      appIds,
      association: row.association === 1,
      callbackUrl: `${deps.publicUrl}${callbackPath(row.id)}`,
    };
  }

  async function connDtos(rows: ExtIdpConnRow[]): Promise<ExtIdpConnDto[]> {
    const apps = await repos.extIdps.listAppsOfConns(rows.map((r) => r.id));
    return rows.map((r) =>
      toConnDto(
        r,
        apps.filter((a) => a.conn_id === r.id).map((a) => a.app_id),
      ),
    );
  }

  /** Refuses settings sign-in could not use, for the types that sign in; others are stored as given. */
  function checkFields(idpType: string, connType: string, fields: Record<string, unknown>, secret: boolean) {
    if (!isSupported(idpType, connType)) return;
    upstreamSpec(idpType, connType, fields, { allowHttp: deps.allowHttp });
    if (!secret)
      throw new ApiError("EXT_IDP_FIELDS_INVALID", { params: { reason: "clientSecret is required" } });
  }

  async function assertAppsOfPool(poolId: string, appIds: string[]): Promise<void> {
    for (const appId of appIds) {
      const app = await repos.applications.findApplicationById(appId);
      if (!app || app.pool_id !== poolId) throw new ApiError("APP_NOT_FOUND");
    }
  }

  return {
    async list(poolId: string, appId?: string): Promise<{ totalCount: number; list: ExtIdpDto[] }> {
      let rows = await repos.extIdps.listExtIdps(poolId);
      if (appId) {
        const enabled = new Set((await repos.extIdps.listConnsOfApp(poolId, appId)).map((c) => c.ext_idp_id));
        rows = rows.filter((r) => enabled.has(r.id));
      }
      return { totalCount: rows.length, list: rows.map(toExtIdpDto) };
    },

    async get(poolId: string, id: string): Promise<ExtIdpDetailDto> {
      const row = await idpOf(poolId, id);
      const conns = await repos.extIdps.listConnsOfIdps([row.id]);
      return { ...toExtIdpDto(row), connections: await connDtos(conns), autoJoin: false };
    },

    async create(poolId: string, input: CreateExtIdpRequest): Promise<ExtIdpDto> {
      if (!KNOWN_IDP_TYPES.has(input.type))
        throw new ApiError("EXT_IDP_FIELDS_INVALID", { params: { reason: `unknown type ${input.type}` } });
      const now = clock.now();
      const row: ExtIdpRow = {
        id: newId(),
        pool_id: poolId,
        name: input.name,
        type: input.type,
        tenant_id: input.tenantId ?? null,
        created_at: now,
        updated_at: now,
      };
      await repos.extIdps.insertExtIdp(row);
      return toExtIdpDto(row);
    },

    async update(poolId: string, input: UpdateExtIdpRequest): Promise<ExtIdpDto> {
      if ((await repos.extIdps.renameExtIdp(poolId, input.id, input.name, clock.now())) === 0)
        throw notFound();
      return toExtIdpDto(await idpOf(poolId, input.id));
    },

    /** The provider goes with its connections and every identity linked through it. */
    async remove(poolId: string, id: string): Promise<void> {
      await idpOf(poolId, id);
      await deps.db.transaction().execute(async (trx) => {
        const tx = repositories(trx);
        await tx.identities.deleteIdentitiesOfIdp(poolId, id);
        await tx.extIdps.deleteExtIdp(poolId, id);
      });
    },

    async createConn(poolId: string, input: CreateExtIdpConnRequest): Promise<ExtIdpConnDto> {
      const idp = await idpOf(poolId, input.extIdpId);
      if (!connTypeFits(idp.type, input.type)) throw new ApiError("EXT_IDP_TYPE_MISMATCH");
      const { plain, secret } = splitFields(input.fields);
      checkFields(idp.type, input.type, plain, secret !== undefined);
      const now = clock.now();
      const id = newId();
      const row: ExtIdpConnRow = {
        id,
        pool_id: poolId,
        ext_idp_id: idp.id,
        type: input.type,
        identifier: input.identifier,
        display_name: input.displayName,
        logo: input.logo ?? "",
        login_only: input.loginOnly ? 1 : 0,
        association: 0,
        fields: JSON.stringify(plain),
        client_secret: secret === undefined ? null : box.seal("ext-idp-secret", id, secret),
        created_at: now,
        updated_at: now,
      };
      try {
        await repos.extIdps.insertConn(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new ApiError("EXT_IDP_CONN_IDENTIFIER_TAKEN");
        throw err;
      }
      return toConnDto(row, []);
    },

    /** `fields` change incrementally: keys given replace stored ones; a new clientSecret replaces the old. */
    async updateConn(poolId: string, input: UpdateExtIdpConnRequest): Promise<ExtIdpConnDto> {
      const row = await connOf(poolId, input.id);
      const idp = await idpOf(poolId, row.ext_idp_id);
      const { plain, secret } = splitFields(input.fields);
      const merged = { ...(JSON.parse(row.fields) as Record<string, unknown>), ...plain };
      checkFields(idp.type, row.type, merged, secret !== undefined || row.client_secret !== null);
      await repos.extIdps.updateConn(
        poolId,
        row.id,
        {
          display_name: input.displayName,
          fields: JSON.stringify(merged),
          ...(input.logo !== undefined ? { logo: input.logo } : {}),
          ...(input.loginOnly !== undefined ? { login_only: input.loginOnly ? 1 : 0 } : {}),
          ...(secret !== undefined ? { client_secret: box.seal("ext-idp-secret", row.id, secret) } : {}),
        },
        clock.now(),
      );
      const [dto] = await connDtos([await connOf(poolId, row.id)]);
      return dto as ExtIdpConnDto;
    },

    async removeConn(poolId: string, id: string): Promise<void> {
      if ((await repos.extIdps.deleteConn(poolId, id)) === 0) throw connNotFound();
    },

    /** Enables or disables a connection for `appId` and `appIds`. */
    async changeState(poolId: string, input: ChangeExtIdpConnStateRequest): Promise<void> {
      const conn = await connOf(poolId, input.id);
      const appIds = [...new Set([input.appId, ...(input.appIds ?? [])].filter((a) => a !== ""))];
      if (appIds.length === 0) throw new ApiError("APP_NOT_FOUND");
      await assertAppsOfPool(poolId, appIds);
      if (!input.enabled) return repos.extIdps.disableConnForApps(conn.id, appIds);
      try {
        await repos.extIdps.enableConnForApps(poolId, conn.id, appIds);
      } catch (err) {
        // The connection or an application deleted since it was read (docs/behaviour-and-errors.md
        // §1.10): nothing was kept; the connection's check again, else an application is gone.
        if (!isForeignKeyViolation(err)) throw err;
        await connOf(poolId, input.id);
        throw new ApiError("APP_NOT_FOUND");
      }
    },

    async changeAssociation(poolId: string, id: string, association: boolean): Promise<void> {
      await connOf(poolId, id);
      await repos.extIdps.updateConn(poolId, id, { association: association ? 1 : 0 }, clock.now());
    },
  };
}
export type Connections = ReturnType<typeof createConnections>;
