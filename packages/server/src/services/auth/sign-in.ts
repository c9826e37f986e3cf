import type { LoginTokenData, SignInRequest } from "@gatehouse/protocol";
import type { Kysely } from "kysely";
import { ApiError, bilingual, invalidRequest, missingParam } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { parseUserAgent } from "../../lib/user-agent.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import { allOrNothing, type Step } from "../../storage/repos/all-or-nothing.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { ProvedAddress } from "../../storage/repos/user-contacts.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { Database } from "../../storage/schema.js";
import type { CheckedCode, CodeService, CodeTarget } from "../codes/engine.js";
import { type Emit, userEvent } from "../events/emit.js";
import type { Mfa } from "../mfa/index.js";
import type { AmrValue } from "../tokens/auth-context.js";
import { grantScope } from "../tokens/claims.js";
import type { Sessions } from "../tokens/sessions.js";
import type { TokenSet, Tokens } from "../tokens/tokens.js";
import { type AuditService, maskEmail, maskPhone } from "../users/audit.js";
import { assertUserMayWriteCustomData, checkCustomData } from "../users/custom-data.js";
import {
  type AccountKind,
  assertNoSelfServiceExternalId,
  findUserByIdentifier,
  findUserByMailbox,
  insertUser,
  newUserRow,
  normalizeEmail,
  normalizePhoneE164,
  normalizeUsername,
} from "../users/identifiers.js";
import { emitEmailVerified, emitRegistered } from "./events.js";
import { type LoginGuard, loginAccountKey, loginIpKey, type Reservation } from "./lockout.js";
import type { LoginHistory } from "./login-history.js";
import type { PasswordService } from "./passwords/hashing.js";
import type { AppScope, RequestMeta } from "./scope.js";
import type { SignUpLimits } from "./sign-up-limits.js";

export interface SignInDeps {
  db: Kysely<Database>;
  repos: Repositories;
  passwords: PasswordService;
  codes: CodeService;
  tokens: Tokens;
  sessions: Sessions;
  audit: AuditService;
  loginGuard: LoginGuard;
  signUpLimits: SignUpLimits;
  loginHistory: Pick<LoginHistory, "recordAttempt" | "attemptStep">;
  emit: Emit;
  clock: Clock;
  /** Application access control (docs/authorization.md §Application access); absent: every app allows everyone. */
  mayUseApp?: (poolId: string, appId: string, userId: string) => Promise<boolean>;
  /** The API's MFA step (docs/mfa.md); without it `/api/v3/signin` never asks for a second factor. */
  mfa?: Pick<Mfa, "apiSignInStep">;
}

type Attempt = { userId: string | null; method: string };
/** Which of the user's identifiers a password sign-in named. */
type Via = "email" | "username" | "phone";

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

const STATUS_ZH: Record<string, string> = {
  Suspended: "用户已被停用",
  Deactivated: "用户已被禁用",
  Resigned: "用户已离职",
  Archived: "用户已归档",
};

function assertActive(user: UserRow): void {
  if (user.status !== "Activated") {
    const zh = STATUS_ZH[user.status] ?? "用户已被停用";
    throw new ApiError("ACCOUNT_SUSPENDED", { texts: bilingual(zh, `User is ${user.status.toLowerCase()}`) });
  }
}

/**
 * loginRequireEmailVerified / loginRequirePhoneVerified: a password names an address nobody has
 * proved (docs/behaviour-and-errors.md §4.6). Checked only after a right password, so it tells
 * nothing to someone who does not know it.
 */
function assertNamedAddressVerified(settings: AppScope["settings"], user: UserRow, via: Via): void {
  if (via === "email" && settings.loginRequireEmailVerified && user.email_verified !== 1)
    throw new ApiError("EMAIL_NOT_VERIFIED");
  if (via === "phone" && settings.loginRequirePhoneVerified && user.phone_verified !== 1)
    throw new ApiError("PHONE_NOT_VERIFIED");
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
  throw invalidRequest(
    "passwordPayload 需要 account、email、username 或 phone",
    "passwordPayload needs account, email, username or phone",
  );
}

/** What an ending reads of the request: the scope the tokens are asked for. */
type EndingInput = Pick<SignInRequest, "options">;

/**
 * How a sign-in that passed every check ends. `steps` record it and must commit with whatever opens
 * the session: `firstFactor` (the history row, the lockout settled) and `login` (last login, the
 * `login` event); tokens for `/api/v3/signin`, the user for the hosted pages, whose caller opens a
 * browser session. `amr`: what the first factor was.
 */
interface Ending<T> {
  (
    deps: SignInDeps,
    s: AppScope,
    user: UserRow,
    input: EndingInput,
    meta: RequestMeta,
    steps: { firstFactor: readonly Step[]; login: readonly Step[] },
    amr: AmrValue,
  ): Promise<T>;
  /**
   * `api`: `/api/v3/signin`, which opens the application's session and emits `login` itself.
   * `oidc`: the hosted pages of the OpenID Provider; their history rows are named `oidc:<method>`
   * and the application's `login` comes when it gets its tokens (services/oidc/login-record.ts).
   */
  channel: "api" | "oidc";
}

/**
 * `/api/v3/signin`'s ending: tokens, unless the pool runs MFA on this API and the user owes a
 * second factor (docs/mfa.md §The API's MFA step). Then only the first factor is recorded and the
 * answer is 1635/1636 with the MFA token; the step that completes the sign-in records the login.
 */
const issueTokens: Ending<LoginTokenData> = Object.assign(
  async (
    deps: SignInDeps,
    s: AppScope,
    user: UserRow,
    input: EndingInput,
    meta: RequestMeta,
    steps: { firstFactor: readonly Step[]; login: readonly Step[] },
    amr: AmrValue,
  ) => {
    const scope = grantScope(input.options?.scope);
    const step = await deps.mfa?.apiSignInStep(user, { appId: s.app.id, amr: [amr], scope });
    if (step) {
      await allOrNothing(deps.db, steps.firstFactor);
      throw new ApiError(step.byPolicy ? "MFA_REQUIRED_BY_APP" : "MFA_REQUIRED", { data: step.data });
    }
    const grant = { app: s.app, user, scope, ip: meta.ip, userAgent: meta.userAgent, amr: [amr] };
    return toLoginTokenData(await deps.tokens.issueForLogin(grant, [...steps.firstFactor, ...steps.login]));
  },
  { channel: "api" as const },
);

/** The hosted pages' ending: the login is recorded here; the caller opens the browser session. */
const returnUser: Ending<UserRow> = Object.assign(
  async (
    deps: SignInDeps,
    _s: AppScope,
    user: UserRow,
    _input: EndingInput,
    _meta: RequestMeta,
    steps: { firstFactor: readonly Step[]; login: readonly Step[] },
  ) => {
    await allOrNothing(deps.db, [...steps.firstFactor, ...steps.login]);
    return user;
  },
  { channel: "oidc" as const },
);

/** What a sign-in's first factor adds to `amr`: a password, a code by SMS or email, or a passkey. */
function firstFactorOf(method: string): AmrValue {
  if (method.endsWith("webauthn")) return "hwk";
  if (method.endsWith("passcode:phone")) return "sms";
  if (method.endsWith("passcode:email")) return "email";
  return "pwd";
}

/**
 * The login itself, once every factor is proved: the user's last login, and (for `/api/v3/signin`
 * and its MFA step, `emitLogin`) the `login` event. Shared with the MFA step (mfa-step.ts).
 */
export function loginSteps(
  deps: Pick<SignInDeps, "repos" | "clock" | "emit">,
  user: UserRow,
  appId: string,
  meta: RequestMeta,
  emitLogin = true,
): Step[] {
  const ua = parseUserAgent(meta.userAgent);
  return [
    deps.repos.userLogins.recordUserLoginStep(user.pool_id, user.id, {
      now: deps.clock.now(),
      ip: meta.ip,
      appId,
      browser: ua.name || null,
      device: ua.device || null,
    }),
    ...(emitLogin ? [deps.emit.step(deps.repos, meta.origin, userEvent("login", user, { appId }))] : []),
  ];
}

/** The history's name for a way of signing in, by where it happened (docs/oidc-provider.md §Login history). */
function attemptMethod(end: Ending<unknown>, method: string): string {
  return end.channel === "oidc" ? `oidc:${method}` : method;
}

/** `settle`: the lockout reservation of a right password, when it can commit with the login. */
async function finish<T>(
  deps: SignInDeps,
  end: Ending<T>,
  s: AppScope,
  user: UserRow,
  input: EndingInput,
  meta: RequestMeta,
  a: Attempt,
  settle?: Reservation,
): Promise<T> {
  if (deps.mayUseApp && !(await deps.mayUseApp(s.pool.id, s.app.id, user.id))) {
    if (settle) await deps.loginGuard.succeeded(settle);
    await record(deps, s, meta, a, false, "app_access_denied");
    throw new ApiError("APP_ACCESS_DENIED");
  }
  const firstFactor = [
    deps.loginHistory.attemptStep(attemptOf(s, meta, a, true, null)),
    ...(settle ? deps.loginGuard.succeededSteps(settle) : []),
  ];
  const login = loginSteps(deps, user, s.app.id, meta, end.channel === "api");
  try {
    return await end(deps, s, user, input, meta, { firstFactor, login }, firstFactorOf(a.method));
  } catch (err) {
    // Deleted after this sign-in read it (docs/behaviour-and-errors.md §4.4): the login's batch,
    // which refers to the account, kept nothing. It answers as an account that does not exist.
    if (!isForeignKeyViolation(err)) throw err;
    await record(deps, s, meta, a, false, "account_not_found");
    const remainCount = settle?.remainCount;
    throw new ApiError("LOGIN_FAILED", remainCount === undefined ? {} : { data: { remainCount } });
  }
}

function attemptOf(s: AppScope, meta: RequestMeta, a: Attempt, success: boolean, reason: string | null) {
  return {
    poolId: s.pool.id,
    appId: s.app.id,
    userId: a.userId,
    ip: meta.ip,
    userAgent: meta.userAgent,
    method: a.method,
    success,
    reason,
  };
}

/** A refused attempt's history row and its `login-failed` event, all or nothing. */
function record(
  deps: SignInDeps,
  s: AppScope,
  meta: RequestMeta,
  a: Attempt,
  success: boolean,
  reason: string | null,
) {
  const event = {
    poolId: s.pool.id,
    name: "login-failed",
    userId: a.userId,
    data: { userId: a.userId, appId: s.app.id, method: a.method, reason },
  };
  if (success) return deps.loginHistory.recordAttempt(attemptOf(s, meta, a, success, reason));
  return allOrNothing(deps.repos.db, [
    deps.loginHistory.attemptStep(attemptOf(s, meta, a, success, reason)),
    deps.emit.step(deps.repos, meta.origin, event),
  ]);
}

/**
 * PASSWORD sign-in. Wrong account or password answer alike (403/2333 + remainCount) and cost
 * alike (a dummy hash is verified for unknown accounts); lockout per account and per IP.
 */
async function signInByPassword<T>(
  deps: SignInDeps,
  end: Ending<T>,
  s: AppScope,
  input: SignInRequest,
  meta: RequestMeta,
): Promise<T> {
  const p = input.passwordPayload;
  if (!p) throw missingParam("passwordPayload", "passwordPayload is required for PASSWORD");
  const id = passwordIdentifier(p);
  const password = deps.passwords.decrypt(p.password, input.options?.passwordEncryptType);
  let found = await findUserByIdentifier(deps.repos, s.pool.id, s.settings, id.kind, id.value);
  const accountKey = loginAccountKey(s.pool.id, found.key);
  const ipKey = loginIpKey(s.pool.id, meta.ip ?? "unknown");
  const attempt: Attempt = {
    userId: found.user?.id ?? null,
    method: attemptMethod(end, `password:${id.kind}`),
  };
  const autoRegister =
    !found.user && input.options?.autoRegister && id.kind !== "account" && !s.settings.registerDisabled;
  if (autoRegister) {
    // Bad input takes nothing: the customData rule answers before the caps count the attempt.
    await checkCustomData(deps.repos, s.pool.id, input.options?.customData, assertUserMayWriteCustomData);
    // A new account counts against the sign-up caps first, before any lockout count or hashing.
    await deps.signUpLimits.take(s, meta.ip);
  }

  let reservation: Reservation;
  try {
    reservation = await deps.loginGuard.reserve(s.settings, accountKey, ipKey);
  } catch (err) {
    await record(deps, s, meta, attempt, false, "locked");
    throw err;
  }

  let user = found.user;
  if (autoRegister) {
    const created = await autoRegisterWithPassword(deps, s, id, password, input.options?.customData);
    if (created) {
      const via = id.kind as Via;
      return succeed(
        deps,
        end,
        s,
        created,
        via,
        input,
        meta,
        { ...attempt, userId: created.id },
        reservation,
      );
    }
    // Registered concurrently by someone else: verify against that account like any sign-in.
    found = await findUserByIdentifier(deps.repos, s.pool.id, s.settings, id.kind, id.value);
    user = found.user;
  }

  let ok = false;
  if (user?.password_hash) {
    const v = await deps.passwords.verify(user.password_hash, password);
    ok = v.ok;
    if (ok && v.needsRehash) await rehash(deps, user, password);
  } else {
    await deps.passwords.verifyDummy(password);
  }
  if (!ok || !user) {
    await record(deps, s, meta, attempt, false, user ? "wrong_password" : "account_not_found");
    const { remainCount } = reservation;
    throw new ApiError("LOGIN_FAILED", remainCount === undefined ? {} : { data: { remainCount } });
  }
  return succeed(deps, end, s, user, found.via ?? "username", input, meta, attempt, reservation);
}

/**
 * A right password: the lockout counters are settled (in the login's own transaction when they
 * live in the database — two writes fewer on the path) and an active user is signed in.
 */
async function succeed<T>(
  deps: SignInDeps,
  end: Ending<T>,
  s: AppScope,
  user: UserRow,
  via: Via,
  input: SignInRequest,
  meta: RequestMeta,
  attempt: Attempt,
  reservation: Reservation,
) {
  const inLogin = deps.loginGuard.settlesInTransaction && user.status === "Activated";
  if (!inLogin) await deps.loginGuard.succeeded(reservation);
  try {
    assertActive(user);
  } catch (err) {
    await record(deps, s, meta, attempt, false, "suspended");
    throw err;
  }
  try {
    assertNamedAddressVerified(s.settings, user, via);
  } catch (err) {
    if (inLogin) await deps.loginGuard.succeeded(reservation);
    await record(deps, s, meta, attempt, false, "address_not_verified");
    throw err;
  }
  return finish(deps, end, s, user, input, meta, attempt, inLogin ? reservation : undefined);
}

/** An imported bcrypt (or older argon2) hash becomes current argon2id on a successful login. */
async function rehash(deps: SignInDeps, user: UserRow, password: string): Promise<void> {
  const hash = await deps.passwords.hash(password);
  await deps.repos.users.updateUser(user.pool_id, user.id, { password_hash: hash });
}

/**
 * options.customData is written only when autoRegister creates the account, after the user's
 * rule (docs/behaviour-and-errors.md §2.11); an existing account's custom data changes through
 * update-profile.
 */
function customDataColumn(data: Record<string, unknown> | undefined): string | null {
  return data && Object.keys(data).length > 0 ? JSON.stringify(data) : null;
}

async function autoRegisterWithPassword(
  deps: SignInDeps,
  s: AppScope,
  id: { kind: AccountKind; value: string },
  password: string,
  customData: Record<string, unknown> | undefined,
): Promise<UserRow | undefined> {
  deps.passwords.assertPolicy(password, s.settings);
  const now = deps.clock.now();
  const identifier =
    id.kind === "email"
      ? { email: normalizeEmail(id.value) }
      : id.kind === "phone"
        ? { phone: normalizePhoneE164(id.value, undefined, s.settings) }
        : { username: normalizeUsername(id.value) };
  const row = newUserRow(s.pool.id, now, {
    ...identifier,
    password_hash: await deps.passwords.hash(password),
    password_security_level: deps.passwords.securityLevel(password),
    password_last_set_at: now,
    custom_data: customDataColumn(customData),
    source_type: "register",
    source_id: s.app.id,
    register_source: JSON.stringify([`basic:auto-register-${id.kind}`]),
  });
  try {
    await insertUser(deps.repos, row);
  } catch (err) {
    if (err instanceof ApiError && err.key === "USER_EXISTS") return undefined;
    throw err;
  }
  return deps.repos.users.findUserById(s.pool.id, row.id);
}

/** PASSCODE sign-in: a CHANNEL_LOGIN code for the phone or email; consumed only on success. */
async function signInByPasscode<T>(
  deps: SignInDeps,
  end: Ending<T>,
  s: AppScope,
  input: SignInRequest,
  meta: RequestMeta,
): Promise<T> {
  const p = input.passCodePayload;
  if (!p) throw missingParam("passCodePayload", "passCodePayload is required for PASSCODE");
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
    throw invalidRequest("passCodePayload 需要 phone 或 email", "passCodePayload needs a phone or an email");
  }
  const isPhone = target.kind === "sms";
  const found = isPhone
    ? await deps.repos.users.findUserByPhone(s.pool.id, target.target)
    : await findUserByMailbox(deps.repos, s.pool.id, target.target);
  const accountKey = loginAccountKey(s.pool.id, found ? `user:${found.id}` : `id:${target.target}`);
  const ipKey = loginIpKey(s.pool.id, meta.ip ?? "unknown");
  const attempt: Attempt = {
    userId: found?.id ?? null,
    method: attemptMethod(end, `passcode:${isPhone ? "phone" : "email"}`),
  };

  try {
    await deps.loginGuard.assertNotLocked(s.settings, accountKey, ipKey);
  } catch (err) {
    await record(deps, s, meta, attempt, false, "locked");
    throw err;
  }
  let checked: CheckedCode;
  try {
    checked = await deps.codes.check(target, ["CHANNEL_LOGIN"], p.passCode, s.settings);
  } catch (err) {
    if (err instanceof ApiError) {
      await deps.loginGuard.recordIpFailure(s.settings, ipKey);
      await record(deps, s, meta, attempt, false, err.key === "CODE_WRONG" ? "wrong_code" : "code_expired");
    }
    throw err;
  }

  let user = found;
  if (!user && !input.options?.autoRegister) {
    await record(deps, s, meta, attempt, false, "account_not_found");
    throw new ApiError("LOGIN_FAILED");
  }
  if (user && user.status !== "Activated") {
    await record(deps, s, meta, attempt, false, "suspended");
    assertActive(user);
  }
  if (!user && s.settings.registerDisabled) throw new ApiError("REGISTER_DISABLED");
  const customData = input.options?.customData;
  if (!user) await checkCustomData(deps.repos, s.pool.id, customData, assertUserMayWriteCustomData);

  const verifiedColumn = isPhone ? "phone_verified" : "email_verified";
  const address: ProvedAddress = { kind: isPhone ? "phone" : "email", value: target.target };
  const fresh = user
    ? undefined
    : newUserRow(s.pool.id, deps.clock.now(), {
        ...(isPhone ? { phone: target.target } : { email: target.target }),
        [verifiedColumn]: 1,
        [isPhone ? "phone_proved_at" : "email_proved_at"]: deps.clock.now(),
        custom_data: customDataColumn(customData),
        source_type: "register",
        source_id: s.app.id,
        register_source: JSON.stringify([`basic:auto-register-${isPhone ? "phone" : "email"}-code`]),
      });
  // Over a sign-up cap the code stays unspent: it can be used once the hour has passed.
  if (fresh) await deps.signUpLimits.take(s, meta.ip);
  const existing = user;
  const ended = await deps.db.transaction().execute(async (trx) => {
    // The code first: parallel sign-ins with one code queue on its row and the losers learn the
    // code is spent (2300); inserting the user first would tell them "user already exists" (2026).
    await deps.codes.consume([checked], trx);
    const tx = repositories(trx);
    let ended: string[] = [];
    if (fresh) {
      await insertUser(tx, fresh);
      await emitRegistered(deps.emit, tx, meta.origin, s.pool.id, fresh.id as string);
    } else if (existing) ended = await proveAddress(deps, tx, existing, address, meta);
    return ended;
  });
  deps.sessions.endedElsewhere(ended);
  user = await deps.repos.users.findUserById(s.pool.id, (fresh?.id ?? user?.id) as string);
  if (!user) {
    // Deleted since it was read (the code spent on an account gone): as an unknown account.
    await record(deps, s, meta, attempt, false, "account_not_found");
    throw new ApiError("LOGIN_FAILED");
  }
  return finish(deps, end, s, user, input, meta, { ...attempt, userId: user.id });
}

/**
 * A code sign-in proved `address`. The first proof of an address on an account whose password was
 * set before it reclaims the account (docs/behaviour-and-errors.md §4.6): whoever chose that
 * password never proved the address, so the password goes and every session ends (the one this
 * sign-in opens comes after). Returns the ended sessions, to be forgotten once this commits.
 */
async function proveAddress(
  deps: SignInDeps,
  tx: Repositories,
  user: UserRow,
  address: ProvedAddress,
  meta: RequestMeta,
): Promise<string[]> {
  const now = deps.clock.now();
  const unproved = (address.kind === "email" ? user.email_verified : user.phone_verified) !== 1;
  // The read is a hint that spares the common sign-in a statement; the update re-checks both.
  const reclaims =
    unproved &&
    user.password_hash !== null &&
    (await tx.userContacts.proveAddressRevokingPassword(user.pool_id, user.id, address, now));
  if (!reclaims) {
    const provedBefore = (address.kind === "email" ? user.email_proved_at : user.phone_proved_at) !== null;
    if (unproved || !provedBefore)
      await tx.userContacts.markAddressProved(user.pool_id, user.id, address, now);
    if (unproved && address.kind === "email") await emitEmailVerified(deps.emit, tx, meta.origin, user);
    return [];
  }
  const ended = await tx.sessions.endUserSessions(user.pool_id, user.id, now, "account_reclaimed");
  const mask = (kind: "email" | "phone", value: string) =>
    kind === "email" ? maskEmail(value) : maskPhone(value);
  const event = {
    poolId: user.pool_id,
    userId: user.id,
    actor: "anonymous",
    meta,
  } as const;
  await deps.audit.record(tx, {
    ...event,
    action: address.kind === "email" ? "user.email.reclaimed" : "user.phone.reclaimed",
    target: mask(address.kind, address.value),
  });
  if (address.kind === "email") await emitEmailVerified(deps.emit, tx, meta.origin, user);
  const other = address.kind === "email" ? "phone" : "email";
  const dropped = await tx.userContacts.dropCodeProvedAddress(user.pool_id, user.id, other, now);
  if (dropped) {
    await deps.audit.record(tx, {
      ...event,
      action: other === "email" ? "user.email.unbound" : "user.phone.unbound",
      oldValue: mask(other, dropped),
    });
  }
  return ended;
}

/**
 * A first factor checked outside this module — a passkey (docs/passkeys.md). The proof names its
 * user before it is checked, so the lockouts apply as to a code sign-in: a locked account or IP is
 * refused before any signature is verified, a failed proof counts for the IP, and the history row,
 * the `login` event and the ending are the same as for a password.
 */
export interface OutsideProof {
  /** The login history's method, e.g. `webauthn`. */
  method: string;
  /** The user the proof claims to be (undefined: it names nobody of this pool). */
  userId: string | undefined;
  /** Throws an ApiError when the proof does not hold; records nothing itself. */
  check(): Promise<void>;
  /** Why a failed proof failed, for the history row. */
  reasonOf(err: ApiError): string;
  /** Thrown when the proof names nobody. */
  unknown(): ApiError;
}

async function signInByProof<T>(
  deps: SignInDeps,
  end: Ending<T>,
  s: AppScope,
  proof: OutsideProof,
  input: EndingInput,
  meta: RequestMeta,
): Promise<T> {
  const user = proof.userId ? await deps.repos.users.findUserById(s.pool.id, proof.userId) : undefined;
  const accountKey = loginAccountKey(s.pool.id, user ? `user:${user.id}` : `id:${proof.method}`);
  const ipKey = loginIpKey(s.pool.id, meta.ip ?? "unknown");
  const attempt: Attempt = { userId: user?.id ?? null, method: attemptMethod(end, proof.method) };
  try {
    await deps.loginGuard.assertNotLocked(s.settings, accountKey, ipKey);
  } catch (err) {
    await record(deps, s, meta, attempt, false, "locked");
    throw err;
  }
  try {
    if (!user) throw proof.unknown();
    await proof.check();
  } catch (err) {
    if (err instanceof ApiError) {
      await deps.loginGuard.recordIpFailure(s.settings, ipKey);
      await record(deps, s, meta, attempt, false, user ? proof.reasonOf(err) : "account_not_found");
    }
    throw err;
  }
  if (user.status !== "Activated") {
    await record(deps, s, meta, attempt, false, "suspended");
    assertActive(user);
  }
  return finish(deps, end, s, user, input, meta, attempt);
}

/** `POST /api/v3/signin` (docs/wire-contract.md §3a); client authentication is the route's job. */
async function signIn<T>(
  deps: SignInDeps,
  end: Ending<T>,
  s: AppScope,
  input: SignInRequest,
  meta: RequestMeta,
): Promise<T> {
  if (input.options?.autoRegister) assertNoSelfServiceExternalId(input.options);
  if (input.connection === "PASSWORD") return signInByPassword(deps, end, s, input, meta);
  if (input.connection === "PASSCODE") return signInByPasscode(deps, end, s, input, meta);
  throw new ApiError("NOT_IMPLEMENTED", {
    texts: bilingual(
      `Gatehouse 不支持 connection ${input.connection}`,
      `connection ${input.connection} is not supported by Gatehouse`,
    ),
  });
}

export function createSignIn(deps: SignInDeps) {
  return {
    signIn: (s: AppScope, input: SignInRequest, meta: RequestMeta) =>
      signIn(deps, issueTokens, s, input, meta),
    /**
     * The same sign-in, every rule included (lockout, history, "same answer for unknown
     * accounts"), for the hosted pages: the user instead of tokens; the caller opens the
     * browser session (docs/hosted-pages.md).
     */
    authenticate: (s: AppScope, input: SignInRequest, meta: RequestMeta) =>
      signIn(deps, returnUser, s, input, meta),
    /**
     * A sign-in an external identity provider proved (docs/social-sign-in.md): the hosted pages'
     * ending — last login, a history line naming the connection (`method`), `login` — and a
     * blocked user refused with its history line and `login-failed`, as for a password.
     */
    authenticateExternal: async (s: AppScope, user: UserRow, method: string, meta: RequestMeta) => {
      const attempt: Attempt = { userId: user.id, method: attemptMethod(returnUser, method) };
      if (user.status !== "Activated") {
        await record(deps, s, meta, attempt, false, "suspended");
        assertActive(user);
      }
      // returnUser reads no sign-in request: there is none, the upstream's answer was the proof.
      return finish(deps, returnUser, s, user, {} as SignInRequest, meta, attempt);
    },
    /** A sign-in by a proof checked elsewhere (a passkey), ending in tokens like `signIn`. */
    signInByProof: (s: AppScope, proof: OutsideProof, input: EndingInput, meta: RequestMeta) =>
      signInByProof(deps, issueTokens, s, proof, input, meta),
    /** The same for the hosted pages: the user instead of tokens. */
    authenticateByProof: (s: AppScope, proof: OutsideProof, input: EndingInput, meta: RequestMeta) =>
      signInByProof(deps, returnUser, s, proof, input, meta),
  };
}
