import { type CustomFieldDto, type SetCustomField, UserDto } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { CustomFieldRow } from "../../storage/repos/custom-fields.js";
import type { Repositories } from "../../storage/repos/index.js";

/**
 * User custom fields (get-/set-custom-fields, docs/wire-contract.md §4). `customData` written by the
 * management API and by update-profile may only use keys defined here, with values of the
 * field's type.
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

function checkValue(field: CustomFieldRow, value: unknown): string | undefined {
  if (value === null) return undefined;
  switch (field.data_type) {
    case "STRING":
      return typeof value === "string" ? undefined : "must be a string";
    case "NUMBER":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "must be a number";
    case "BOOLEAN":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "DATETIME":
      return (typeof value === "number" && Number.isFinite(value)) ||
        (typeof value === "string" && !Number.isNaN(Date.parse(value)))
        ? undefined
        : "must be a date (ISO 8601 string or epoch milliseconds)";
    case "ENUM": {
      const options = (JSON.parse(field.attributes) as Attributes).options ?? [];
      return typeof value === "string" && options.some((o) => o.value === value)
        ? undefined
        : `must be one of ${options.map((o) => JSON.stringify(o.value)).join(", ") || "(no options defined)"}`;
    }
    default:
      return undefined;
  }
}

/** Throws CUSTOM_DATA_INVALID naming the first key that is undefined or of the wrong type. */
export function assertCustomData(fields: readonly CustomFieldRow[], data: Record<string, unknown>): void {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const [key, value] of Object.entries(data)) {
    const field = byKey.get(key);
    if (!field) {
      throw new ApiError("CUSTOM_DATA_INVALID", {
        message: `customData.${key} is not a defined custom field of this user pool (define it with set-custom-fields)`,
      });
    }
    const problem = checkValue(field, value);
    if (problem) throw new ApiError("CUSTOM_DATA_INVALID", { message: `customData.${key} ${problem}` });
  }
}

/** Loads the pool's USER fields and checks `data` against them. */
export async function assertUserCustomData(
  repos: Repositories,
  poolId: string,
  data: Record<string, unknown> | undefined,
): Promise<void> {
  if (!data || Object.keys(data).length === 0) return;
  assertCustomData(await repos.customFields.listCustomFields(poolId, "USER"), data);
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
            message: `Only USER custom fields are supported (got ${f.targetType})`,
          });
        }
        if (RESERVED_KEYS.has(f.key)) {
          throw new ApiError("CUSTOM_FIELD_INVALID", {
            message: `${f.key} is a built-in user field and cannot be a custom field key`,
          });
        }
        if (f.dataType === "ENUM" && !f.options?.length) {
          throw new ApiError("CUSTOM_FIELD_INVALID", { message: `${f.key}: an ENUM field needs options` });
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
