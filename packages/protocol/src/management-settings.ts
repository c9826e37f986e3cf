import { type Static, type TSchema, Type, TypeGuard } from "@sinclair/typebox";
import { Envelope, NonEmpty, Str } from "./common.js";
import { OneOf } from "./management-users.js";
import { PoolSettings } from "./settings.js";

/** Management API, pool settings (docs/wire-contract.md §4: security, MFA, custom fields). */

/**
 * Every field optional, at every depth, without defaults (a patch must not fill itself in) and
 * tolerant of unknown keys (GenAuth fields Gatehouse does not have are ignored, not refused).
 */
function loosePartial(schema: TSchema): TSchema {
  if (TypeGuard.IsObject(schema)) {
    const props: Record<string, TSchema> = {};
    for (const [k, v] of Object.entries(schema.properties)) props[k] = Type.Optional(loosePartial(v));
    return Type.Object(props);
  }
  const { default: _ignored, ...rest } = schema;
  return rest as TSchema;
}

/** POST /api/v3/update-security-settings: any subset of PoolSettings, deep-merged. */
export const UpdateSecuritySettingsRequest = loosePartial(PoolSettings);
export type UpdateSecuritySettingsRequest = Record<string, unknown>;
export const SecuritySettingsResponse = Envelope(PoolSettings);

export const MfaFactor = OneOf(["OTP", "SMS", "EMAIL", "FACE"] as const);
export const MfaPolicyName = OneOf(["off", "optional", "required"] as const);
const MfaFactors = Type.Array(MfaFactor, { maxItems: 4, uniqueItems: true });
/**
 * MFASettingsDto, plus Gatehouse's policy (docs/mfa.md §Policy): on update, a field left out keeps
 * its value (`enabledFactors` is required, as in the SDK).
 */
export const MfaSettingsUpdate = Type.Object({
  enabledFactors: MfaFactors,
  policy: Type.Optional(MfaPolicyName),
  rememberDeviceDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
  apiSignin: Type.Optional(Type.Boolean()),
});
export type MfaSettingsUpdate = Static<typeof MfaSettingsUpdate>;
/** What get-/update-/disable-global-mfa-settings answer: every field. */
export const MfaSettings = Type.Object({
  enabledFactors: MfaFactors,
  policy: MfaPolicyName,
  rememberDeviceDays: Type.Integer(),
  apiSignin: Type.Boolean(),
});
export type MfaSettings = Static<typeof MfaSettings>;
/** MFADisableSettingsDto: the factors to take out of `enabledFactors`. */
export const MfaDisableSettings = Type.Object({
  disableFactors: Type.Array(MfaFactor, { maxItems: 4, uniqueItems: true }),
});
export type MfaDisableSettings = Static<typeof MfaDisableSettings>;
export const MfaSettingsResponse = Envelope(MfaSettings);
/** UpdateApplicationMfaSettingsDto: switch factors on or off for one application. */
export const UpdateApplicationMfaSettings = Type.Object({
  appId: NonEmpty(64),
  enabledFactors: Type.Optional(MfaFactors),
  disabledFactors: Type.Optional(MfaFactors),
});
export type UpdateApplicationMfaSettings = Static<typeof UpdateApplicationMfaSettings>;

export const CustomFieldTargetType = OneOf(["USER", "ROLE", "GROUP", "DEPARTMENT"] as const);
export const CustomFieldDataType = OneOf(["STRING", "NUMBER", "DATETIME", "BOOLEAN", "ENUM"] as const);
export type CustomFieldDataType = Static<typeof CustomFieldDataType>;

const SelectOption = Type.Object({ value: Str(255), label: Str(255) });

/** SetCustomFieldDto. */
export const SetCustomField = Type.Object({
  targetType: CustomFieldTargetType,
  key: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }),
  dataType: Type.Optional(CustomFieldDataType),
  label: Type.Optional(Str(128)),
  description: Type.Optional(Str(1000)),
  encrypted: Type.Optional(Type.Boolean()),
  isUnique: Type.Optional(Type.Boolean()),
  userEditable: Type.Optional(Type.Boolean()),
  visibleInAdminConsole: Type.Optional(Type.Boolean()),
  visibleInUserCenter: Type.Optional(Type.Boolean()),
  validateRules: Type.Optional(Type.Unknown()),
  appIds: Type.Optional(Type.Array(Str(64), { maxItems: 100 })),
  desensitization: Type.Optional(Type.Boolean()),
  options: Type.Optional(Type.Array(SelectOption, { maxItems: 200 })),
  i18n: Type.Optional(Type.Unknown()),
});
export type SetCustomField = Static<typeof SetCustomField>;

export const SetCustomFieldsRequest = Type.Object({
  list: Type.Array(SetCustomField, { minItems: 1, maxItems: 100 }),
  tenantId: Type.Optional(Str(64)),
});
export type SetCustomFieldsRequest = Static<typeof SetCustomFieldsRequest>;

export const GetCustomFieldsQuery = Type.Object({
  targetType: CustomFieldTargetType,
  tenantId: Type.Optional(NonEmpty(64)),
});

/** CustomFieldDto. */
export const CustomFieldDto = Type.Object({
  targetType: CustomFieldTargetType,
  createdAt: Type.Optional(Type.String()),
  dataType: CustomFieldDataType,
  key: Type.String(),
  label: Type.String(),
  description: Type.Optional(Type.String()),
  encrypted: Type.Optional(Type.Boolean()),
  isUnique: Type.Boolean(),
  userEditable: Type.Optional(Type.Boolean()),
  visibleInAdminConsole: Type.Boolean(),
  visibleInUserCenter: Type.Optional(Type.Boolean()),
  i18n: Type.Optional(Type.Unknown()),
  options: Type.Optional(Type.Array(Type.Object({ value: Type.String(), label: Type.String() }))),
});
export type CustomFieldDto = Static<typeof CustomFieldDto>;
export const CustomFieldListResponse = Envelope(Type.Array(CustomFieldDto));
