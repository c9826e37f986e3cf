import { type CustomFieldDto, type SetCustomField, UserDto } from "@gatehouse/protocol";
import { ApiError, bilingual } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { CustomFieldRow } from "../../storage/repos/custom-fields.js";
import type { Repositories } from "../../storage/repos/index.js";

/**
 * User custom fields (get-/set-custom-fields, docs/wire-contract.md §4). Who may write which
 * `customData` against these definitions is services/users/custom-data.ts's rule.
 */

const RESERVED_KEYS = new Set([...Object.keys(UserDto.properties), "id", "password", "userPoolId"]);

interface Attributes {
  encrypted?: boolean;
  isUnique?: boolean;
  userEditable?: boolean;
  visibleInAdminConsole?: boolean;
  visibleInUserCenter?: boolean;
  options?: { value: string; label: string }[];
  i18n?: unknown;
}

export function toCustomFieldDto(row: CustomFieldRow): CustomFieldDto {
  const a = JSON.parse(row.attributes) as Attributes;
  return {
    targetType: row.target_type as CustomFieldDto["targetType"],
    createdAt: new Date(row.created_at).toISOString(),
    dataType: row.data_type as CustomFieldDto["dataType"],
    key: row.key,
    label: row.label,
    ...(row.description !== null ? { description: row.description } : {}),
    encrypted: a.encrypted ?? false,
    isUnique: a.isUnique ?? false,
    userEditable: a.userEditable ?? false,
    visibleInAdminConsole: a.visibleInAdminConsole ?? true,
    visibleInUserCenter: a.visibleInUserCenter ?? false,
    ...(a.i18n !== undefined ? { i18n: a.i18n } : {}),
    ...(a.options ? { options: a.options } : {}),
  };
}

export function createCustomFields({ repos, clock }: { repos: Repositories; clock: Clock }) {
  return {
    async list(poolId: string, targetType: string): Promise<CustomFieldDto[]> {
      return (await repos.customFields.listCustomFields(poolId, targetType)).map(toCustomFieldDto);
    },
    /** Creates or replaces each definition; only USER fields exist in Gatehouse. */
    async set(poolId: string, list: readonly SetCustomField[]): Promise<CustomFieldDto[]> {
      for (const f of list) {
        if (f.targetType !== "USER") {
          throw new ApiError("CUSTOM_FIELD_INVALID", {
            texts: bilingual(
              `仅支持 USER 扩展字段（收到 ${f.targetType}）`,
              `Only USER custom fields are supported (got ${f.targetType})`,
            ),
          });
        }
        if (RESERVED_KEYS.has(f.key)) {
          throw new ApiError("CUSTOM_FIELD_INVALID", {
            texts: bilingual(
              `${f.key} 是内置用户字段，不能作为扩展字段的 key`,
              `${f.key} is a built-in user field and cannot be a custom field key`,
            ),
          });
        }
        if (f.dataType === "ENUM" && !f.options?.length) {
          throw new ApiError("CUSTOM_FIELD_INVALID", {
            texts: bilingual(`${f.key}：ENUM 字段需要 options`, `${f.key}: an ENUM field needs options`),
          });
        }
      }
      const now = clock.now();
      const existing = new Map(
        (await repos.customFields.listCustomFields(poolId, "USER")).map((r) => [r.key, r]),
      );
      for (const f of list) {
        const prev = existing.get(f.key);
        const prevAttrs = prev ? (JSON.parse(prev.attributes) as Attributes) : {};
        const attributes: Attributes = {
          ...prevAttrs,
          ...(f.encrypted !== undefined ? { encrypted: f.encrypted } : {}),
          ...(f.isUnique !== undefined ? { isUnique: f.isUnique } : {}),
          ...(f.userEditable !== undefined ? { userEditable: f.userEditable } : {}),
          ...(f.visibleInAdminConsole !== undefined
            ? { visibleInAdminConsole: f.visibleInAdminConsole }
            : {}),
          ...(f.visibleInUserCenter !== undefined ? { visibleInUserCenter: f.visibleInUserCenter } : {}),
          ...(f.options !== undefined ? { options: f.options } : {}),
          ...(f.i18n !== undefined ? { i18n: f.i18n } : {}),
        };
        await repos.customFields.upsertCustomField({
          pool_id: poolId,
          target_type: f.targetType,
          key: f.key,
          data_type: f.dataType ?? prev?.data_type ?? "STRING",
          label: f.label ?? prev?.label ?? f.key,
          description: f.description ?? prev?.description ?? null,
          attributes: JSON.stringify(attributes),
          created_at: prev?.created_at ?? now,
          updated_at: now,
        });
      }
      const keys = new Set(list.map((f) => f.key));
      return (await repos.customFields.listCustomFields(poolId, "USER"))
        .filter((r) => keys.has(r.key))
        .map(toCustomFieldDto);
    },
  };
}
