import type {
  CreateUserInfo,
  CreateUserOptions,
  GetUserBatchQuery,
  GetUserQuery,
  IdentityDto,
  IsUserExistsRequest,
  PoolSettings,
  UserDto,
  UserIdType,
} from "@gatehouse/protocol";
import type { Kysely } from "kysely";
import { ApiError, bilingual } from "../../../errors.js";
import type { Clock } from "../../../lib/clock.js";
import { newId } from "../../../lib/ids.js";
import type { CustomFieldRow } from "../../../storage/repos/custom-fields.js";
import type { IdentityRow } from "../../../storage/repos/identities.js";
import { type Repositories, repositories } from "../../../storage/repos/index.js";
import type { MfaFactorRow } from "../../../storage/repos/mfa-factors.js";
import type { TakenIdentifiers } from "../../../storage/repos/user-admin.js";
import type { NewUserRow, UserRow } from "../../../storage/repos/users.js";
import type { Database } from "../../../storage/schema.js";
import type { Passwords } from "../../auth/passwords/hashing.js";
import { type Emit, userEvent } from "../../events/emit.js";
import type { EventOrigin } from "../../events/scope.js";
import type { ImportOtp } from "../../mfa/imported.js";
import type { Sessions } from "../../tokens/sessions.js";
import { assertAdminMayWriteCustomData } from "../../users/custom-data.js";
import { toIdentityDto, userDtoDefaults } from "../../users/dto.js";
import { toManagedUserDto, toManagedUserDtos } from "../../users/dto-options.js";
import {
  findUserByEmail,
  findUserByUsername,
  type Identifiers,
  identifierKey,
  normalizeIdentifiers,
} from "../../users/identifiers.js";
import { findUserByIdType, requireUserByIdType } from "../../users/lookup.js";
import { normalizePhone } from "../../users/phone.js";
import { parsePoolSettings } from "../../users/pool-settings.js";
import { takenMapped } from "../../users/taken.js";
import { preparePassword, userRowFromInput } from "../../users/user-input.js";

export interface PreparedUser {
  row: NewUserRow;
  identities: IdentityRow[];
  /** The OTP factor brought with the user (`otp: {secret, recoveryCode}`). */
  factors?: MfaFactorRow[];
  ids: Identifiers;
}

export async function loadPoolSettings(repos: Repositories, poolId: string): Promise<PoolSettings> {
  const pool = await repos.pools.findPoolById(poolId);
  if (!pool) throw new ApiError("POOL_NOT_FOUND");
  return parsePoolSettings(pool.settings);
}

/** Validate, normalise and hash one new user; nothing is written. */
export async function prepareNewUser(
  deps: { passwords: Passwords; clock: Clock; importOtp?: ImportOtp },
  poolId: string,
  settings: PoolSettings,
  fields: readonly CustomFieldRow[],
  input: CreateUserInfo,
  options: CreateUserOptions,
  sourceType: "adminCreated" | "excel",
): Promise<PreparedUser> {
  const ids = normalizeIdentifiers(input, settings);
  if (input.customData) assertAdminMayWriteCustomData(fields, input.customData);
  const password = await preparePassword(deps.passwords, input.password, options);
  const now = deps.clock.now();
  const row = userRowFromInput(poolId, input, ids, password, {
    now,
    sourceType,
    resetPasswordOnFirstLogin: options.resetPasswordOnFirstLogin,
  });
  const identities: IdentityRow[] = (input.identities ?? []).map((i) => ({
    id: newId(),
    pool_id: poolId,
    user_id: row.id as string,
    ext_idp_id: i.extIdpId,
    provider: i.provider,
    type: i.type,
    user_id_in_idp: i.userIdInIdp,
    user_info: i.userInfoInIdp === undefined ? null : JSON.stringify(i.userInfoInIdp),
    origin_conn_ids: JSON.stringify(i.originConnIds ?? []),
    created_at: now,
  }));
  if (input.otp && !deps.importOtp)
    throw new ApiError("NOT_IMPLEMENTED", { texts: bilingual("此处不导入 otp", "otp is not imported here") });
  const factors = input.otp && deps.importOtp ? [deps.importOtp(poolId, row.id as string, input.otp)] : [];
  return { row, identities, ids, factors };
}

/** is-user-exists without a single identifier is a question with no answer: GenAuth's 400. */
function assertSomeIdentifierAsked(q: IsUserExistsRequest): void {
  const given = [q.username, q.email, q.phone, q.externalId].some((v) => v !== undefined && v.trim() !== "");
  if (!given) throw new ApiError("USER_EXISTS_QUERY_EMPTY");
}

/** The first identifier of `ids` that is already used in the pool, as its 409 error. */
export function firstTaken(ids: Identifiers, taken: TakenIdentifiers): ApiError | undefined {
  if (ids.email && taken.emailKeys.has(identifierKey(ids.email))) return new ApiError("EMAIL_TAKEN");
  if (ids.username && taken.usernameKeys.has(identifierKey(ids.username)))
    return new ApiError("USERNAME_TAKEN");
  if (ids.phone && taken.phones.has(ids.phone)) return new ApiError("PHONE_TAKEN");
  if (ids.externalId && taken.externalIds.has(ids.externalId)) return new ApiError("EXTERNAL_ID_TAKEN");
  return undefined;
}

/** An empty TakenIdentifiers, for the identifiers of one batch seen so far. */
export function noneTaken(): TakenIdentifiers {
  return { emailKeys: new Set(), usernameKeys: new Set(), phones: new Set(), externalIds: new Set() };
}

export function markTaken(taken: TakenIdentifiers, ids: Identifiers): void {
  if (ids.email) taken.emailKeys.add(identifierKey(ids.email));
  if (ids.username) taken.usernameKeys.add(identifierKey(ids.username));
  if (ids.phone) taken.phones.add(ids.phone);
  if (ids.externalId) taken.externalIds.add(ids.externalId);
}

export function wantedIdentifiers(list: readonly Identifiers[]) {
  const pick = (k: keyof Identifiers) => list.map((i) => i[k]).filter((v): v is string => v !== undefined);
  return {
    emailKeys: pick("email").map(identifierKey),
    usernameKeys: pick("username").map(identifierKey),
    phones: pick("phone"),
    externalIds: pick("externalId"),
  };
}

/**
 * Inserts users and their identities in one short transaction (multi-row statements of at most
 * `chunk` rows); maps unique violations to 409s.
 */
export async function insertPreparedUsers(
  db: Kysely<Database>,
  emit: Emit,
  origin: EventOrigin,
  users: readonly PreparedUser[],
  chunk = 250,
): Promise<void> {
  await takenMapped(() =>
    db.transaction().execute(async (trx) => {
      const repos = repositories(trx);
      for (let i = 0; i < users.length; i += chunk) {
        await repos.userAdmin.insertUsers(users.slice(i, i + chunk).map((u) => u.row));
      }
      for (const u of users) for (const i of u.identities) await repos.identities.insertIdentity(i);
      for (const u of users) for (const f of u.factors ?? []) await repos.mfaFactors.insertFactor(f);
      for (let i = 0; i < users.length; i += chunk) {
        const poolId = users[0]!.row.pool_id;
        const ids = users.slice(i, i + chunk).map((u) => u.row.id as string);
        const stored = await repos.userAdmin.findUsersByIds(poolId, ids);
        await emit.many(
          repos,
          origin,
          stored.map((u) => userEvent("user:created", u)),
        );
      }
    }),
  );
}

function prefixed(index: number, err: unknown): unknown {
  if (err instanceof ApiError) {
    const texts = {
      "zh-CN": `list[${index}]：${err.messageIn("zh-CN")}`,
      "en-US": `list[${index}]: ${err.messageIn("en-US")}`,
    };
    return new ApiError(err.key, { texts, data: err.data });
  }
  return err;
}

export interface UserAdminDeps {
  db: Kysely<Database>;
  repos: Repositories;
  passwords: Passwords;
  /** Seals and hashes the `otp` a created user brings (services/mfa/imported.ts). */
  importOtp?: ImportOtp;
  sessions: Pick<Sessions, "endUserSessions">;
  clock: Clock;
  /** Base of the default avatar URL (services/users/dto.ts). */
  publicUrl: string;
  emit: Emit;
}

/** Users of the management API (docs/wire-contract.md §4): create, read, delete, exists, identities. */
export function createUserAdmin(deps: UserAdminDeps) {
  const { db, repos, sessions } = deps;

  async function created(poolId: string, settings: PoolSettings, rows: PreparedUser[]): Promise<UserDto[]> {
    const stored = await repos.userAdmin.findUsersByIds(
      poolId,
      rows.map((r) => r.row.id as string),
    );
    const order = new Map(rows.map((r, i) => [r.row.id as string, i]));
    stored.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    return toManagedUserDtos(repos, poolId, stored, userDtoDefaults(settings, deps.publicUrl), {
      withCustomData: true,
      withIdentities: true,
    });
  }

  const service = {
    async create(
      poolId: string,
      origin: EventOrigin,
      input: CreateUserInfo,
      options: CreateUserOptions = {},
    ): Promise<UserDto> {
      const [dto] = await service.createBatch(poolId, origin, [input], options, false);
      return dto!;
    },

    /** All or nothing: every user is checked (and hashed) before one transaction inserts them. */
    async createBatch(
      poolId: string,
      origin: EventOrigin,
      list: readonly CreateUserInfo[],
      options: CreateUserOptions = {},
      numbered = true,
    ): Promise<UserDto[]> {
      const settings = await loadPoolSettings(repos, poolId);
      const fields = await repos.customFields.listCustomFields(poolId, "USER");
      const prepared: PreparedUser[] = [];
      const seen = noneTaken();
      for (const [i, input] of list.entries()) {
        try {
          const p = await prepareNewUser(deps, poolId, settings, fields, input, options, "adminCreated");
          const dup = firstTaken(p.ids, seen);
          if (dup) throw dup;
          markTaken(seen, p.ids);
          prepared.push(p);
        } catch (err) {
          throw numbered ? prefixed(i, err) : err;
        }
      }
      const taken = await repos.userAdmin.findTakenIdentifiers(
        poolId,
        wantedIdentifiers(prepared.map((p) => p.ids)),
      );
      for (const [i, p] of prepared.entries()) {
        const err = firstTaken(p.ids, taken);
        if (err) throw numbered ? prefixed(i, err) : err;
      }
      await insertPreparedUsers(db, deps.emit, origin, prepared);
      return created(poolId, settings, prepared);
    },

    async get(poolId: string, q: GetUserQuery): Promise<UserDto> {
      const settings = await loadPoolSettings(repos, poolId);
      const user = await requireUserByIdType(repos, poolId, settings, q.userId, q.userIdType);
      const identities = q.withIdentities ? await repos.identities.listIdentitiesByUser(user.id) : undefined;
      return toManagedUserDto(user, userDtoDefaults(settings, deps.publicUrl), q, identities);
    },

    /** Users that exist, in the order asked; unknown ids are left out. */
    async getBatch(poolId: string, q: GetUserBatchQuery): Promise<UserDto[]> {
      const settings = await loadPoolSettings(repos, poolId);
      const rows: UserRow[] = [];
      const add = (u: UserRow | undefined) => {
        if (u && !rows.some((r) => r.id === u.id)) rows.push(u);
      };
      if ((q.userIdType ?? "user_id") === "user_id") {
        const found = new Map(
          (await repos.userAdmin.findUsersByIds(poolId, q.userIds)).map((u) => [u.id, u]),
        );
        for (const id of q.userIds) add(found.get(id));
      } else {
        for (const id of q.userIds) add(await findUserByIdType(repos, poolId, settings, id, q.userIdType));
      }
      return toManagedUserDtos(repos, poolId, rows, userDtoDefaults(settings, deps.publicUrl), q);
    },

    /** Resolves every id first; unknown ids are ignored. Returns the ids deleted. */
    async deleteBatch(
      poolId: string,
      origin: EventOrigin,
      userIds: readonly string[],
      userIdType?: UserIdType,
    ): Promise<string[]> {
      const settings = await loadPoolSettings(repos, poolId);
      const ids = new Set<string>();
      for (const id of userIds) {
        const u = await findUserByIdType(repos, poolId, settings, id, userIdType);
        if (u) ids.add(u.id);
      }
      // Ended first so this node forgets the sessions at once; the rows go with the users.
      for (const id of ids) await sessions.endUserSessions(poolId, id, { reason: "user-deleted" });
      await db.transaction().execute(async (trx) => {
        const tx = repositories(trx);
        const doomed = await tx.userAdmin.findUsersByIds(poolId, [...ids]);
        await tx.loginHistory.deleteLoginHistoryOfUsers(poolId, [...ids]);
        await tx.userAdmin.deleteUsers(poolId, [...ids]);
        await deps.emit.many(
          tx,
          origin,
          doomed.map((u) => userEvent("user:deleted", u)),
        );
      });
      return [...ids];
    },

    /** True when any given identifier belongs to a user of the pool. */
    async exists(poolId: string, q: IsUserExistsRequest): Promise<boolean> {
      assertSomeIdentifierAsked(q);
      const settings = await loadPoolSettings(repos, poolId);
      if (q.username?.trim() && (await findUserByUsername(repos, poolId, q.username))) return true;
      if (q.email?.trim() && (await findUserByEmail(repos, poolId, q.email))) return true;
      if (q.externalId && (await repos.users.findUserByExternalId(poolId, q.externalId))) return true;
      if (q.phone?.trim()) {
        try {
          const { e164 } = normalizePhone(q.phone, undefined, settings.defaultPhoneCountryCode);
          if (await repos.users.findUserByPhone(poolId, e164)) return true;
        } catch {
          // not a valid phone number: nobody has it
        }
      }
      return false;
    },

    async identities(poolId: string, userId: string, userIdType?: UserIdType): Promise<IdentityDto[]> {
      const settings = await loadPoolSettings(repos, poolId);
      const user = await requireUserByIdType(repos, poolId, settings, userId, userIdType);
      return (await repos.identities.listIdentitiesByUser(user.id)).map(toIdentityDto);
    },
  };
  return service;
}
export type UserAdmin = ReturnType<typeof createUserAdmin>;
