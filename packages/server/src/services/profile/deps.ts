import type { PoolSettings } from "@gatehouse/protocol";
import type { Kysely, Transaction } from "kysely";
import type { Logger } from "pino";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { Notifier, NotifyRequest } from "../../messaging/notifications.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { Database } from "../../storage/schema.js";
import { type LoginGuard, loginAccountKey, loginIpKey } from "../auth/lockout.js";
import type { PasswordService } from "../auth/passwords/hashing.js";
import type { RequestMeta } from "../auth/scope.js";
import type { CodeCheck, CodeService } from "../codes/engine.js";
import type { FlowTokenService } from "../codes/flow-tokens.js";
import type { SessionService } from "../tokens/sessions.js";
import type { AuditService } from "../users/audit.js";
import { takenMapped } from "../users/taken.js";

/** A no-code, no-link notice about a change, to an address the user has or had. */
export type ChangeNotice = NotifyRequest;

/** Everything the user-information flows need, passed in (docs/architecture.md, habit 5). */
export interface ProfileDeps {
  db: Kysely<Database>;
  repos: Repositories;
  codes: CodeService;
  passwords: PasswordService;
  sessions: SessionService;
  /** Sign-in lockout counters: wrong passwords typed here count like wrong sign-ins. */
  loginGuard: LoginGuard;
  notifier: Notifier;
  flowTokens: FlowTokenService;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  /** Base of the default avatar URL (services/users/dto.ts). */
  publicUrl: string;
}

/** The signed-in user a self-service call acts for. */
export interface SelfService {
  poolId: string;
  userId: string;
  sessionId: string;
  /** The access token's scope (what get-profile may show when the pool binds tokens). */
  scope: string;
  settings: PoolSettings;
  meta: RequestMeta;
}

/** An anonymous call on behalf of an application (forgot password). */
export interface AppCall {
  poolId: string;
  settings: PoolSettings;
  meta: RequestMeta;
}

/** The user behind a valid access token; gone only if deleted meanwhile (→ 401 like a dead token). */
export async function loadUser(deps: ProfileDeps, who: SelfService): Promise<UserRow> {
  const user = await deps.repos.users.findUserById(who.poolId, who.userId);
  if (!user) throw new ApiError("TOKEN_INVALID");
  return user;
}

/**
 * Checks a password the signed-in user typed (old password, validate-password, delete by
 * password). Counted like a sign-in attempt: a stolen access token cannot be used to guess the
 * password faster than the sign-in lockout allows (403/2057).
 */
export async function checkOwnPassword(deps: ProfileDeps, who: SelfService, user: UserRow, plain: string) {
  const accountKey = loginAccountKey(who.poolId, `user:${user.id}`);
  const ipKey = loginIpKey(who.poolId, who.meta.ip ?? "unknown");
  const reservation = await deps.loginGuard.reserve(who.settings, accountKey, ipKey);
  let ok = false;
  if (user.password_hash === null) await deps.passwords.verifyDummy(plain);
  else ok = (await deps.passwords.verify(user.password_hash, plain)).ok;
  if (ok) await deps.loginGuard.succeeded(reservation);
  return ok;
}

/**
 * Runs `fn` in a short transaction (no hashing, no sending inside: docs/architecture.md, habit 12) and maps a
 * unique-index violation to the conflict it means — the database is the final word on ownership.
 */
export function inTransaction<T>(
  deps: ProfileDeps,
  fn: (repos: Repositories, trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return takenMapped(() => deps.db.transaction().execute((trx) => fn(repositories(trx), trx)));
}

/** Like inTransaction, with `checks` checked and spent in the same transaction (CodeService.spendWith). */
export function withCodesSpent<T>(
  deps: ProfileDeps,
  checks: readonly CodeCheck[],
  fn: (repos: Repositories, trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return takenMapped(() => deps.codes.spendWith(checks, fn));
}

/** Notices go out after the commit; a failure is logged, never undoes the change. */
export function sendNotices(deps: ProfileDeps, notices: ChangeNotice[]): void {
  for (const notice of notices) {
    try {
      deps.notifier.notify(notice);
    } catch (err) {
      deps.logger.warn({ err, purpose: notice.purpose, kind: notice.kind }, "change notice not queued");
    }
  }
}

/** The notice to each of the user's addresses (phone by SMS, email), skipping absent ones. */
export function noticesTo(
  base: Omit<ChangeNotice, "kind" | "to">,
  addresses: { phone?: string | null; email?: string | null },
): ChangeNotice[] {
  const out: ChangeNotice[] = [];
  if (addresses.phone) out.push({ ...base, kind: "sms", to: addresses.phone });
  if (addresses.email) out.push({ ...base, kind: "email", to: addresses.email });
  return out;
}
