import type { Selectable } from "kysely";
import type { CustomFieldTable } from "../schema.js";
import type { Executor } from "./executor.js";

export type CustomFieldRow = Selectable<CustomFieldTable>;

export function customFieldsRepo(db: Executor) {
  return {
    listCustomFields(poolId: string, targetType: string): Promise<CustomFieldRow[]> {
      return db
        .selectFrom("custom_fields")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("target_type", "=", targetType)
        .orderBy("created_at")
        .orderBy("key")
        .execute();
    },
    /** Insert or replace one definition, keeping its creation time. */
    async upsertCustomField(row: CustomFieldRow): Promise<void> {
      await db
        .insertInto("custom_fields")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["pool_id", "target_type", "key"]).doUpdateSet({
            data_type: row.data_type,
            label: row.label,
            description: row.description,
            attributes: row.attributes,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },
  };
}
