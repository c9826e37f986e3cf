import type { Selectable } from "kysely";
import type { ExtIdpConnTable, ExtIdpStateTable, ExtIdpTable } from "../schema.js";
import type { Executor } from "./executor.js";

export type ExtIdpRow = Selectable<ExtIdpTable>;
export type ExtIdpConnRow = Selectable<ExtIdpConnTable>;
export type ExtIdpStateRow = Selectable<ExtIdpStateTable>;
export type ExtIdpConnPatch = Partial<
  Pick<ExtIdpConnRow, "display_name" | "logo" | "login_only" | "association" | "fields" | "client_secret">
>;

/** External identity providers, their connections and the applications they are enabled for (docs/social-sign-in.md). */
export function extIdpsRepo(db: Executor) {
  return {
    async insertExtIdp(row: ExtIdpRow): Promise<void> {
      await db.insertInto("ext_idps").values(row).execute();
    },
    findExtIdp(poolId: string, id: string): Promise<ExtIdpRow | undefined> {
      return db
        .selectFrom("ext_idps")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    listExtIdps(poolId: string): Promise<ExtIdpRow[]> {
      return db
        .selectFrom("ext_idps")
        .selectAll()
        .where("pool_id", "=", poolId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
    },
    async renameExtIdp(poolId: string, id: string, name: string, now: number): Promise<number> {
      const r = await db
        .updateTable("ext_idps")
        .set({ name, updated_at: now })
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async deleteExtIdp(poolId: string, id: string): Promise<number> {
      const r = await db
        .deleteFrom("ext_idps")
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async insertConn(row: ExtIdpConnRow): Promise<void> {
      await db.insertInto("ext_idp_conns").values(row).execute();
    },
    findConn(poolId: string, id: string): Promise<ExtIdpConnRow | undefined> {
      return db
        .selectFrom("ext_idp_conns")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    findConnByIdentifier(poolId: string, identifier: string): Promise<ExtIdpConnRow | undefined> {
      return db
        .selectFrom("ext_idp_conns")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("identifier", "=", identifier)
        .executeTakeFirst();
    },
    listConnsOfIdps(idpIds: string[]): Promise<ExtIdpConnRow[]> {
      if (idpIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("ext_idp_conns")
        .selectAll()
        .where("ext_idp_id", "in", idpIds)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
    },
    async updateConn(poolId: string, id: string, patch: ExtIdpConnPatch, now: number): Promise<number> {
      const r = await db
        .updateTable("ext_idp_conns")
        .set({ ...patch, updated_at: now })
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async deleteConn(poolId: string, id: string): Promise<number> {
      const r = await db
        .deleteFrom("ext_idp_conns")
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /**
     * The connections an application's sign-in accepts, in the order they were created: those
     * enabled for it, and those associated with its whole pool (docs/social-sign-in.md#which-connections-an-application-shows).
     */
    listConnsOfApp(poolId: string, appId: string): Promise<ExtIdpConnRow[]> {
      return db
        .selectFrom("ext_idp_conns")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where((eb) =>
          eb.or([
            eb("association", "=", 1),
            eb("id", "in", eb.selectFrom("ext_idp_conn_apps").select("conn_id").where("app_id", "=", appId)),
          ]),
        )
        .orderBy("created_at")
        .orderBy("id")
        .execute();
    },
    listAppsOfConns(connIds: string[]): Promise<{ conn_id: string; app_id: string }[]> {
      if (connIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("ext_idp_conn_apps")
        .select(["conn_id", "app_id"])
        .where("conn_id", "in", connIds)
        .execute();
    },
    async enableConnForApps(poolId: string, connId: string, appIds: string[]): Promise<void> {
      if (appIds.length === 0) return;
      await db
        .insertInto("ext_idp_conn_apps")
        .values(appIds.map((app_id) => ({ conn_id: connId, app_id, pool_id: poolId })))
        .onConflict((oc) => oc.columns(["conn_id", "app_id"]).doNothing())
        .execute();
    },
    async disableConnForApps(connId: string, appIds: string[]): Promise<void> {
      if (appIds.length === 0) return;
      await db
        .deleteFrom("ext_idp_conn_apps")
        .where("conn_id", "=", connId)
        .where("app_id", "in", appIds)
        .execute();
    },
  };
}

/** The state of upstream round trips (docs/social-sign-in.md#the-round-trip): single use, expiring. */
export function extIdpStatesRepo(db: Executor) {
  return {
    async insertState(row: ExtIdpStateRow): Promise<void> {
      await db.insertInto("ext_idp_states").values(row).execute();
    },
    findState(id: string): Promise<ExtIdpStateRow | undefined> {
      return db.selectFrom("ext_idp_states").selectAll().where("id", "=", id).executeTakeFirst();
    },
    /** Binds a round trip to the browser that starts it, once. */
    async bindStateToBrowser(id: string, browserHash: string, now: number): Promise<boolean> {
      const r = await db
        .updateTable("ext_idp_states")
        .set({ browser_hash: browserHash })
        .where("id", "=", id)
        .where("browser_hash", "is", null)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Spends a round trip (its callback arrived); false when it was spent already. */
    async consumeState(id: string, now: number): Promise<boolean> {
      const r = await db
        .updateTable("ext_idp_states")
        .set({ consumed_at: now })
        .where("id", "=", id)
        .where("consumed_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async setPending(id: string, pending: string): Promise<void> {
      await db.updateTable("ext_idp_states").set({ pending }).where("id", "=", id).execute();
    },
    /** The identity waiting to be linked on this interaction in this browser, if any. */
    findPending(
      interactionUid: string,
      browserHash: string,
      now: number,
    ): Promise<ExtIdpStateRow | undefined> {
      return db
        .selectFrom("ext_idp_states")
        .selectAll()
        .where("interaction_uid", "=", interactionUid)
        .where("browser_hash", "=", browserHash)
        .where("pending", "is not", null)
        .where("expires_at", ">", now)
        .orderBy("created_at", "desc")
        .executeTakeFirst();
    },
    /** Takes the pending identity out (single use); false when another request took it. */
    async clearPending(id: string): Promise<boolean> {
      const r = await db
        .updateTable("ext_idp_states")
        .set({ pending: null })
        .where("id", "=", id)
        .where("pending", "is not", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deleteExpiredStates(before: number): Promise<void> {
      await db.deleteFrom("ext_idp_states").where("expires_at", "<", before).execute();
    },
  };
}
