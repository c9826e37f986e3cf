import { ApiError } from "../../errors.js";
import type { CustomFieldRow } from "../../storage/repos/custom-fields.js";
import type { Repositories } from "../../storage/repos/index.js";

/**
 * Who may write a user's customData, in one place for every writer
 * (docs/behaviour-and-errors.md §2.11):
 * - an administrator (create-user, create-users-batch, update-user, `gatehouse user import`):
 *   keys that are USER custom fields of the pool, values of the field's type;
 * - the user (sign-up, sign-in's auto-registration, update-profile): the same, and only fields
 *   the administrator made `userEditable` (GenAuth's switch for exactly this; off by default).
 * Sign-up stored anything it was sent once: a self-registered `{role: "admin"}` landed.
 */

interface FieldAttributes {
  userEditable?: boolean;
  options?: { value: string; label: string }[];
}

function attributes(field: CustomFieldRow): FieldAttributes {
  return JSON.parse(field.attributes) as FieldAttributes;
}

/** Why `value` does not fit the field's type, or undefined (null clears a field). */
function typeProblem(field: CustomFieldRow, value: unknown): string | undefined {
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
      const options = attributes(field).options ?? [];
      return typeof value === "string" && options.some((o) => o.value === value)
        ? undefined
        : `must be one of ${options.map((o) => JSON.stringify(o.value)).join(", ") || "(no options defined)"}`;
    }
    default:
      return undefined;
  }
}

function fieldsByKey(fields: readonly CustomFieldRow[]): Map<string, CustomFieldRow> {
  return new Map(fields.map((f) => [f.key, f]));
}

/** GenAuth's limit on one customData value (its text, or its JSON for other values). */
export const CUSTOM_DATA_VALUE_MAX = 1024;

function assertValuesShortEnough(data: Record<string, unknown>): void {
  for (const value of Object.values(data)) {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
    if (text.length > CUSTOM_DATA_VALUE_MAX) throw new ApiError("CUSTOM_DATA_TOO_LONG");
  }
}

function assertKnownKeysAndTypes(byKey: Map<string, CustomFieldRow>, data: Record<string, unknown>): void {
  assertValuesShortEnough(data);
  for (const [key, value] of Object.entries(data)) {
    const field = byKey.get(key);
    if (!field) {
      const name = `customData.${key.slice(0, 64)}`;
      throw new ApiError("CUSTOM_DATA_INVALID", {
        texts: {
          "zh-CN": `${name} 不是此用户池定义的扩展字段（请先用 set-custom-fields 定义）`,
          "en-US": `${name} is not a defined custom field of this user pool (define it with set-custom-fields)`,
        },
      });
    }
    const problem = typeProblem(field, value);
    if (problem) {
      throw new ApiError("CUSTOM_DATA_INVALID", {
        texts: { "zh-CN": `参数 customData.${key} 格式错误`, "en-US": `customData.${key} ${problem}` },
      });
    }
  }
}

/** An administrator writes customData: CUSTOM_DATA_INVALID (400) for an unknown key or a wrong type. */
export function assertAdminMayWriteCustomData(
  fields: readonly CustomFieldRow[],
  data: Record<string, unknown>,
): void {
  assertKnownKeysAndTypes(fieldsByKey(fields), data);
}

/**
 * A user writes customData: the administrator's rule, then CUSTOM_FIELD_NOT_USER_EDITABLE
 * (403/2018) for a field whose `userEditable` is off.
 */
export function assertUserMayWriteCustomData(
  fields: readonly CustomFieldRow[],
  data: Record<string, unknown>,
): void {
  const byKey = fieldsByKey(fields);
  assertKnownKeysAndTypes(byKey, data);
  for (const key of Object.keys(data)) {
    if (attributes(byKey.get(key) as CustomFieldRow).userEditable !== true) {
      const name = `customData.${key.slice(0, 64)}`;
      throw new ApiError("CUSTOM_FIELD_NOT_USER_EDITABLE", {
        texts: {
          "zh-CN": `${name} 不允许用户修改（扩展字段的 userEditable 未开启）`,
          "en-US": `${name} is not editable by users (the field's userEditable is off)`,
        },
      });
    }
  }
}

/** Loads the pool's USER custom fields and applies `rule` to `data` (nothing to check: no query). */
export async function checkCustomData(
  repos: Repositories,
  poolId: string,
  data: Record<string, unknown> | undefined,
  rule: typeof assertAdminMayWriteCustomData,
): Promise<void> {
  if (!data || Object.keys(data).length === 0) return;
  rule(await repos.customFields.listCustomFields(poolId, "USER"), data);
}
