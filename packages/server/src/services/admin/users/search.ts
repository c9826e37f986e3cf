import type {
  ListUsersLegacyQuery,
  ListUsersOperator,
  ListUsersRequest,
  PoolSettings,
  UserDto,
} from "@gatehouse/protocol";
import { ApiError, bilingual } from "../../../errors.js";
import type { Repositories } from "../../../storage/repos/index.js";
import type { UserColumn, UserCondition, UserSearch } from "../../../storage/repos/user-admin.js";
import { userDtoDefaults } from "../../users/dto.js";
import { toManagedUserDtos } from "../../users/dto-options.js";
import { identifierKey } from "../../users/identifiers.js";
import { normalizePhone } from "../../users/phone.js";
import { loadPoolSettings } from "./create.js";

/** list-users (POST, docs/wire-contract.md §4): keywords, advanced filters, sort and pagination ≤ 50. */

type Kind = "text" | "time" | "bool" | "int";
/** `key`: emails and usernames are compared by their keys (identifierKey), on their key columns. */
/** `oneOf`: the values the field can hold; a filter outside them is a mistake, not an empty page. */
const FIELDS: Record<
  string,
  { column: UserColumn; kind: Kind; key?: UserColumn; oneOf?: readonly string[] }
> = {
  id: { column: "id", kind: "text" },
  userId: { column: "id", kind: "text" },
  email: { column: "email", kind: "text", key: "email_key" },
  phone: { column: "phone", kind: "text" },
  phoneCountryCode: { column: "phone", kind: "text" },
  username: { column: "username", kind: "text", key: "username_key" },
  externalId: { column: "external_id", kind: "text" },
  status: {
    column: "status",
    kind: "text",
    oneOf: ["Suspended", "Resigned", "Activated", "Archived", "Deactivated"],
  },
  gender: { column: "gender", kind: "text", oneOf: ["M", "F", "U"] },
  name: { column: "name", kind: "text" },
  nickname: { column: "nickname", kind: "text" },
  company: { column: "company", kind: "text" },
  givenName: { column: "given_name", kind: "text" },
  familyName: { column: "family_name", kind: "text" },
  middleName: { column: "middle_name", kind: "text" },
  profile: { column: "profile", kind: "text" },
  preferredUsername: { column: "preferred_username", kind: "text" },
  website: { column: "website", kind: "text" },
  address: { column: "address", kind: "text" },
  formatted: { column: "formatted", kind: "text" },
  streetAddress: { column: "street_address", kind: "text" },
  postalCode: { column: "postal_code", kind: "text" },
  identityNumber: { column: "identity_number", kind: "text" },
  country: { column: "country", kind: "text" },
  province: { column: "province", kind: "text" },
  city: { column: "city", kind: "text" },
  region: { column: "region", kind: "text" },
  lastIp: { column: "last_ip", kind: "text" },
  lastLoginApp: { column: "last_login_app", kind: "text" },
  userSourceType: {
    column: "source_type",
    kind: "text",
    oneOf: ["excel", "register", "adminCreated", "sync"],
  },
  createdAt: { column: "created_at", kind: "time" },
  updatedAt: { column: "updated_at", kind: "time" },
  lastLogin: { column: "last_login", kind: "time" },
  statusChangedAt: { column: "status_changed_at", kind: "time" },
  passwordLastSetAt: { column: "password_last_set_at", kind: "time" },
  loginsCount: { column: "logins_count", kind: "int" },
  passwordSecurityLevel: { column: "password_security_level", kind: "int" },
  emailVerified: { column: "email_verified", kind: "bool" },
  phoneVerified: { column: "phone_verified", kind: "bool" },
};

const FUZZY_DEFAULT = ["id", "phone", "email", "name", "username", "externalId", "nickname"];

function fieldOf(name: string) {
  const f = Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
  if (!f) {
    const shown = name.slice(0, 64);
    throw new ApiError("USER_FILTER_INVALID", {
      texts: { "zh-CN": `不支持的用户字段：${shown}`, "en-US": `Unknown user field: ${shown}` },
    });
  }
  return f;
}

function scalar(field: string, kind: Kind, value: unknown, settings: PoolSettings): string | number {
  const oneOf = FIELDS[field]?.oneOf;
  if (oneOf && !oneOf.includes(value as string)) {
    throw new ApiError("USER_FILTER_INVALID", {
      texts: {
        "zh-CN": `参数 ${field} 格式错误`,
        "en-US": `advancedFilter ${field}: value must be one of ${oneOf.join(", ")}`,
      },
    });
  }
  const bad = (want: string) =>
    new ApiError("USER_FILTER_INVALID", {
      texts: { "zh-CN": `参数 ${field} 格式错误`, "en-US": `advancedFilter ${field}: value must be ${want}` },
    });
  switch (kind) {
    case "bool":
      if (typeof value !== "boolean") throw bad("true or false");
      return value ? 1 : 0;
    case "int":
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad("a number");
      return value;
    case "time": {
      const ms =
        typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
      if (!Number.isFinite(ms)) throw bad("a date (epoch milliseconds or ISO 8601)");
      return ms;
    }
    default: {
      if (typeof value !== "string" && typeof value !== "number") throw bad("a string");
      const s = String(value);
      if (field === "phone") {
        try {
          return normalizePhone(s, undefined, settings.defaultPhoneCountryCode).e164;
        } catch {
          return s;
        }
      }
      return s;
    }
  }
}

export function toCondition(
  filter: { field: string; operator: ListUsersOperator; value?: unknown },
  settings: PoolSettings,
): UserCondition {
  const { column, kind, key } = fieldOf(filter.field);
  const v = filter.value;
  // Comparisons of an email or a username: their keys, on the key column.
  const compared = key ?? column;
  const keyed = (x: string | number) => (key ? identifierKey(String(x)) : x);
  const one = () => keyed(scalar(filter.field, kind, v, settings));
  const list = (min: number, max: number) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) {
      throw new ApiError("USER_FILTER_INVALID", {
        texts: bilingual(
          `advancedFilter ${filter.field} ${filter.operator}：value 须为 ${min === max ? min : `${min} 到 ${max}`} 项的数组`,
          `advancedFilter ${filter.field} ${filter.operator}: value must be an array of ${min === max ? min : `${min} to ${max}`} items`,
        ),
      });
    }
    return v.map((x) => keyed(scalar(filter.field, kind, x, settings)));
  };
  switch (filter.operator) {
    case "EQUAL":
      return { column: compared, op: "eq", value: one() };
    case "NOT_EQUAL":
      return { column: compared, op: "ne", value: one() };
    case "GREATER":
      return { column: compared, op: "gt", value: one() };
    case "LESSER":
      return { column: compared, op: "lt", value: one() };
    case "IN":
      return { column: compared, op: "in", value: list(0, 100) };
    case "BETWEEN": {
      const [a, b] = list(2, 2);
      return { column: compared, op: "between", value: [a!, b!] };
    }
    case "CONTAINS":
    case "NOT_CONTAINS":
      if (kind !== "text" || typeof v !== "string") {
        throw new ApiError("USER_FILTER_INVALID", {
          texts: bilingual(
            `advancedFilter ${filter.field} ${filter.operator}：需要文本字段和字符串值`,
            `advancedFilter ${filter.field} ${filter.operator}: needs a text field and a string value`,
          ),
        });
      }
      return { column, op: filter.operator === "CONTAINS" ? "contains" : "not_contains", value: v };
    case "IS_NULL":
      return { column, op: "is_null" };
    case "NOT_NULL":
      return { column, op: "not_null" };
  }
}

/** list-users in both forms; `list` also serves `gatehouse user list`. */
interface UserSearchDeps {
  repos: Repositories;
  /** Base of the default avatar URL (services/users/dto.ts). */
  publicUrl: string;
}

export function createUserSearch(deps: UserSearchDeps) {
  return {
    list: (poolId: string, req: ListUsersRequest) => listUsers(deps, poolId, req),
    listLegacy: (poolId: string, q: ListUsersLegacyQuery) => listUsersLegacy(deps, poolId, q),
  };
}

async function listUsers(
  { repos, publicUrl }: UserSearchDeps,
  poolId: string,
  req: ListUsersRequest,
): Promise<{ totalCount: number; list: UserDto[] }> {
  const settings = await loadPoolSettings(repos, poolId);
  const o = req.options ?? {};
  const page = o.pagination?.page ?? 1;
  const limit = o.pagination?.limit ?? 10;
  const search: UserSearch = {
    keywords: req.keywords,
    keywordColumns: [...new Set((o.fuzzySearchOn ?? FUZZY_DEFAULT).map((f) => fieldOf(f).column))],
    conditions: (req.advancedFilter ?? []).map((f) => toCondition(f, settings)),
    sort: (o.sort ?? [{ field: "createdAt", order: "desc" as const }]).map((s) => ({
      column: fieldOf(s.field).column,
      desc: s.order === "desc",
    })),
    offset: (page - 1) * limit,
    limit,
  };
  const [totalCount, rows] = await Promise.all([
    repos.userAdmin.countSearchUsers(poolId, search),
    repos.userAdmin.searchUsers(poolId, search),
  ]);
  const defaults = userDtoDefaults(settings, publicUrl);
  return { totalCount, list: await toManagedUserDtos(repos, poolId, rows, defaults, o) };
}

/** GET /api/v3/list-users (listUsersLegacy): status and updatedAt window (unix seconds). */
async function listUsersLegacy(
  { repos, publicUrl }: UserSearchDeps,
  poolId: string,
  q: ListUsersLegacyQuery,
): Promise<{ totalCount: number; list: UserDto[] }> {
  const settings = await loadPoolSettings(repos, poolId);
  const page = q.page ?? 1;
  const limit = q.limit ?? 10;
  const conditions: UserCondition[] = [];
  if (q.status) conditions.push({ column: "status", op: "eq", value: q.status });
  if (q.updatedAtStart !== undefined)
    conditions.push({ column: "updated_at", op: "gt", value: q.updatedAtStart * 1000 - 1 });
  if (q.updatedAtEnd !== undefined)
    conditions.push({ column: "updated_at", op: "lt", value: q.updatedAtEnd * 1000 + 1000 });
  const search: UserSearch = {
    keywordColumns: [],
    conditions,
    sort: [{ column: "created_at", desc: true }],
    offset: (page - 1) * limit,
    limit,
  };
  const [totalCount, rows] = await Promise.all([
    repos.userAdmin.countSearchUsers(poolId, search),
    repos.userAdmin.searchUsers(poolId, search),
  ]);
  const defaults = userDtoDefaults(settings, publicUrl);
  return { totalCount, list: await toManagedUserDtos(repos, poolId, rows, defaults, q) };
}
