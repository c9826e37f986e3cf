import type { LoginTokenData, SignInRequest } from "@gatehouse/protocol";
import type { Context } from "../../context.js";
import { ApiError } from "../../errors.js";
import { parseUserAgent } from "../../lib/user-agent.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { CheckedCode, CodeTarget } from "../codes/engine.js";
import { grantScope } from "../tokens/claims.js";
import type { TokenSet } from "../tokens/tokens.js";
import {
  type AccountKind,
  findUserByIdentifier,
  insertUser,
  newUserRow,
  normalizeEmail,
  normalizePhoneE164,
  normalizeUsername,
} from "../users/identifiers.js";
import { LoginGuard, type Reservation } from "./lockout.js";
import { recordLoginAttempt } from "./login-history.js";
import type { AppScope, RequestMeta } from "./scope.js";

type Attempt = { userId: string | null; method: string };

function toLoginTokenData(set: TokenSet): LoginTokenData {
  const data: LoginTokenData = {
    access_token: set.access_token,
    token_type: set.token_type,
    expire_in: set.expires_in,
    scope: set.scope,
  };
  if (set.id_token) data.id_token = set.id_token;
  if (set.refresh_token) data.refresh_token = set.refresh_token;
  return data;
}

function assertActive(user: UserRow): void {
  if (user.status !== "Activated") {
    throw new ApiError("ACCOUNT_SUSPENDED", { message: `User is ${user.status.toLowerCase()}` });
  }
}

/** The identifier a PASSWORD sign-in names: `account`, or an explicit email/username/phone. */
function passwordIdentifier(p: NonNullable<SignInRequest["passwordPayload"]>): {
  kind: AccountKind;
  value: string;
} {
  if (p.account !== undefined) return { kind: "account", value: p.account };
  if (p.email !== undefined) return { kind: "email", value: p.email };
  if (p.username !== undefined) return { kind: "username", value: p.username };
  if (p.phone !== undefined) return { kind: "phone", value: p.phone };
  throw new ApiError("INVALID_REQUEST", {
    message: "passwordPayload needs account, email, username or phone",
  });
}

/** `settle`: the lockout reservation of a right password, when it can commit with the login. */
async function finish(
  ctx: Context,
  s: AppScope,
  user: UserRow,
  input: SignInRequest,
  meta: RequestMeta,
  a: Attempt,
  settle?: Reservation,
) {
  const ua = parseUserAgent(meta.userAgent);
  const grant = {
    app: s.app,
    user,
    scope: grantScope(input.options?.scope),
    ip: meta.ip,
    userAgent: meta.userAgent,
  };
  const set = await ctx.tokens.issueForLogin(grant, async (tx) => {
    await tx.users.recordUserLogin(s.pool.id, user.id, {
      now: ctx.clock.now(),
      ip: meta.ip,
      appId: s.app.id,
      browser: ua.name || null,
      device: ua.device || null,
    });
    await record(ctx, s, meta, a, true, null, tx);
    if (settle) await ctx.loginGuard.succeeded(settle, tx);
  });
  return toLoginTokenData(set);
}

function record(
  ctx: Context,
  s: AppScope,
  meta: RequestMeta,
  a: Attempt,
  success: boolean,
  reason: string | null,
  repos: Repositories = ctx.repos,
) {
  return recordLoginAttempt(repos, ctx.clock, {
    poolId: s.pool.id,
    appId: s.app.id,
    userId: a.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
    method: a.method,
    success,
    reason,
  });
}

/**
 * PASSWORD sign-in. Wrong account or password answer alike (403/2333 + remainCount) and cost
 * alike (a dummy hash is verified for unknown accounts); lockout per account and per IP.
 */
async function signInByPassword(ctx: Context, s: AppScope, input: SignInRequest, meta: RequestMeta) {
  const p = input.passwordPayload;
  if (!p) throw new ApiError("INVALID_REQUEST", { message: "passwordPayload is required for PASSWORD" });
  const id = passwordIdentifier(p);
  const password = ctx.passwords.decrypt(p.password, input.options?.passwordEncryptType);
  const found = await findUserByIdentifier(ctx.repos, s.pool.id, s.settings, id.kind, id.value);
  const accountKey = LoginGuard.accountKey(s.pool.id, found.key);
  const ipKey = LoginGuard.ipKey(s.pool.id, meta.ip ?? "unknown");
  const attempt: Attempt = { userId: found.user?.id ?? null, method: `password:${id.kind}` };

  let reservation: Reservation;
  try {
    reservation = await ctx.loginGuard.reserve(s.settings, accountKey, ipKey);
  } catch (err) {
    await record(ctx, s, meta, attempt, false, "locked");
    throw err;
  }

  let user = found.user;
  if (!user && input.options?.autoRegister && id.kind !== "account" && !s.settings.registerDisabled) {
    const created = await autoRegisterWithPassword(ctx, s, id, password);
    if (created)
      return succeed(ctx, s, created, input, meta, { ...attempt, userId: created.id }, reservation);
    // Registered concurrently by someone else: verify against that account like any sign-in.
    user = (await findUserByIdentifier(ctx.repos, s.pool.id, s.settings, id.kind, id.value)).user;
  }

  let ok = false;
  if (user?.password_hash) {
    const v = await ctx.passwords.verify(user.password_hash, password);
    ok = v.ok;
    if (ok && v.needsRehash) await rehash(ctx, user, password);
  } else {
    await ctx.passwords.verifyDummy(password);
  }
  if (!ok || !user) {
    await record(ctx, s, meta, attempt, false, user ? "wrong_password" : "account_not_found");
    const { remainCount } = reservation;
    throw new ApiError("LOGIN_FAILED", remainCount === undefined ? {} : { data: { remainCount } });
  }
  return succeed(ctx, s, user, input, meta, attempt, reservation);
}

/**
 * A right password: the lockout counters are settled (in the login's own transaction when they
 * live in the database — two writes fewer on the path) and an active user is signed in.
 */
async function succeed(
  ctx: Context,
  s: AppScope,
  user: UserRow,
  input: SignInRequest,
  meta: RequestMeta,
  attempt: Attempt,
  reservation: Reservation,
) {
  const inLogin = ctx.loginGuard.settlesInTransaction && user.status === "Activated";
  if (!inLogin) await ctx.loginGuard.succeeded(reservation);
  try {
    assertActive(user);
  } catch (err) {
    await record(ctx, s, meta, attempt, false, "suspended");
    throw err;
  }
  return finish(ctx, s, user, input, meta, attempt, inLogin ? reservation : undefined);
}

/** An imported bcrypt (or older argon2) hash becomes current argon2id on a successful login. */
async function rehash(ctx: Context, user: UserRow, password: string): Promise<void> {
  const hash = await ctx.passwords.hash(password);
  await ctx.repos.users.updateUser(user.pool_id, user.id, { password_hash: hash });
}

async function autoRegisterWithPassword(
  ctx: Context,
  s: AppScope,
  id: { kind: AccountKind; value: string },
  password: string,
): Promise<UserRow | undefined> {
  ctx.passwords.assertPolicy(password, s.settings);
  const now = ctx.clock.now();
  const identifier =
    id.kind === "email"
      ? { email: normalizeEmail(id.value) }
      : id.kind === "phone"
        ? { phone: normalizePhoneE164(id.value, undefined, s.settings) }
        : { username: normalizeUsername(id.value) };
  const row = newUserRow(s.pool.id, now, {
    ...identifier,
    password_hash: await ctx.passwords.hash(password),
    password_security_level: ctx.passwords.securityLevel(password),
    password_last_set_at: now,
    source_type: "register",
    source_id: s.app.id,
    register_source: JSON.stringify([`basic:auto-register-${id.kind}`]),
  });
  try {
    await insertUser(ctx.repos, row);
  } catch (err) {
    if (err instanceof ApiError && err.key === "USER_EXISTS") return undefined;
    throw err;
  }
  return ctx.repos.users.findUserById(s.pool.id, row.id);
}

/** PASSCODE sign-in: a CHANNEL_LOGIN code for the phone or email; consumed only on success. */
async function signInByPasscode(ctx: Context, s: AppScope, input: SignInRequest, meta: RequestMeta) {
  const p = input.passCodePayload;
  if (!p) throw new ApiError("INVALID_REQUEST", { message: "passCodePayload is required for PASSCODE" });
  let target: CodeTarget;
  if (p.phone !== undefined) {
    target = {
      poolId: s.pool.id,
      kind: "sms",
      target: normalizePhoneE164(p.phone, p.phoneCountryCode, s.settings),
    };
  } else if (p.email !== undefined) {
    target = { poolId: s.pool.id, kind: "email", target: normalizeEmail(p.email) };
  } else {
    throw new ApiError("INVALID_REQUEST", { message: "passCodePayload needs a phone or an email" });
  }
  const isPhone = target.kind === "sms";
  const found = isPhone
    ? await ctx.repos.users.findUserByPhone(s.pool.id, target.target)
    : await ctx.repos.users.findUserByEmail(s.pool.id, target.target);
  const accountKey = LoginGuard.accountKey(s.pool.id, found ? `user:${found.id}` : `id:${target.target}`);
  const ipKey = LoginGuard.ipKey(s.pool.id, meta.ip ?? "unknown");
  const attempt: Attempt = { userId: found?.id ?? null, method: `passcode:${isPhone ? "phone" : "email"}` };

  try {
    await ctx.loginGuard.assertNotLocked(s.settings, accountKey, ipKey);
  } catch (err) {
    await record(ctx, s, meta, attempt, false, "locked");
    throw err;
  }
  let checked: CheckedCode;
  try {
    checked = await ctx.codes.check(target, ["CHANNEL_LOGIN"], p.passCode, s.settings);
  } catch (err) {
    if (err instanceof ApiError) {
      await ctx.loginGuard.recordIpFailure(s.settings, ipKey);
      await record(ctx, s, meta, attempt, false, err.key === "CODE_WRONG" ? "wrong_code" : "code_expired");
    }
    throw err;
  }

  let user = found;
  if (!user && !input.options?.autoRegister) {
    await record(ctx, s, meta, attempt, false, "account_not_found");
    throw new ApiError("LOGIN_FAILED");
  }
  if (user && user.status !== "Activated") {
    await record(ctx, s, meta, attempt, false, "suspended");
    assertActive(user);
  }
  if (!user && s.settings.registerDisabled) throw new ApiError("REGISTER_DISABLED");

  const verifiedColumn = isPhone ? "phone_verified" : "email_verified";
  const fresh = user
    ? undefined
    : newUserRow(s.pool.id, ctx.clock.now(), {
        ...(isPhone ? { phone: target.target } : { email: target.target }),
        [verifiedColumn]: 1,
        source_type: "register",
        source_id: s.app.id,
        register_source: JSON.stringify([`basic:auto-register-${isPhone ? "phone" : "email"}-code`]),
      });
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const tx = repositories(trx);
    if (fresh) await insertUser(tx, fresh);
    else if (user) await tx.users.updateUser(s.pool.id, user.id, { [verifiedColumn]: 1 });
    await ctx.codes.consume([checked], trx);
  });
  user = await ctx.repos.users.findUserById(s.pool.id, (fresh?.id ?? user?.id) as string);
  if (!user) throw new ApiError("INTERNAL");
  return finish(ctx, s, user, input, meta, { ...attempt, userId: user.id });
}

/** `POST /api/v3/signin` (wire contract §3a); client authentication is the route's job. */
export async function signIn(
  ctx: Context,
  s: AppScope,
  input: SignInRequest,
  meta: RequestMeta,
): Promise<LoginTokenData> {
  if (input.connection === "PASSWORD") return signInByPassword(ctx, s, input, meta);
  if (input.connection === "PASSCODE") return signInByPasscode(ctx, s, input, meta);
  throw new ApiError("NOT_IMPLEMENTED", {
    message: `connection ${input.connection} is not supported by Gatehouse`,
  });
}
