import { createHash, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import { OAuthError } from "../../../errors.js";
import type { Clock } from "../../../lib/clock.js";
import { isForeignKeyViolation } from "../../../storage/db.js";
import { StepFailed } from "../../../storage/repos/all-or-nothing.js";
import type { ApplicationRow } from "../../../storage/repos/applications.js";
import type { Repositories } from "../../../storage/repos/index.js";
import type { AuthorizationCodeRow } from "../../../storage/repos/oidc.js";
import type { Database } from "../../../storage/schema.js";
import type { RequestMeta } from "../../auth/scope.js";
import type { Emit } from "../../events/emit.js";
import { amrFromText } from "../../tokens/auth-context.js";
import type { Sessions } from "../../tokens/sessions.js";
import type { TokenSet, Tokens } from "../../tokens/tokens.js";
import type { AuthorizationCodes } from "../authorization-codes.js";
import { oidcLoginSteps } from "../login-record.js";
import type { GrantDeps } from "./index.js";
import type { Grant } from "./types.js";

export interface AuthorizationCodeGrantDeps {
  db: Kysely<Database>;
  repos: Repositories;
  tokens: Tokens;
  sessions: Sessions;
  codes: AuthorizationCodes;
  clock: Clock;
  emit: Emit;
}

export interface AuthorizationCodeParams {
  code?: string;
  redirect_uri?: string;
  code_verifier?: string;
}

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const invalid = (why: string) => new OAuthError("invalid_grant", why);
function sameText(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** RFC 7636 §4.6. */
function assertVerifier(row: AuthorizationCodeRow, verifier: string | undefined): void {
  if (row.code_challenge === null) {
    // A verifier for a code issued without a challenge is a downgrade: refused (OAuth 2.1 §4.1.3).
    if (verifier !== undefined)
      throw invalid("code_verifier was sent but the authorization request had no code_challenge");
    return;
  }
  if (verifier === undefined) throw invalid("code_verifier is required");
  if (!VERIFIER.test(verifier)) throw invalid("code_verifier is malformed");
  const derived =
    row.code_challenge_method === "plain"
      ? verifier
      : createHash("sha256").update(verifier).digest("base64url");
  if (!sameText(derived, row.code_challenge))
    throw invalid("code_verifier does not match the code_challenge");
}

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, docs/oidc-provider.md §Codes). The code is
 * spent in the transaction that opens the session, so two exchanges cannot both win; a second
 * use is `invalid_grant` and ends the session (and so every token) the first one opened.
 */
export async function exchangeAuthorizationCode(
  deps: AuthorizationCodeGrantDeps,
  app: ApplicationRow,
  params: AuthorizationCodeParams,
  meta: RequestMeta,
): Promise<TokenSet> {
  if (!params.code) throw new OAuthError("invalid_request", "code is required");
  const now = deps.clock.now();
  const codeHash = deps.codes.hash(params.code);
  const row = await deps.repos.oidc.findCode(codeHash);
  if (!row) throw invalid("authorization code is invalid");
  // Another client's code says nothing and revokes nothing: only its own client's replay does.
  if (row.app_id !== app.id) throw invalid("authorization code was issued to another client");
  if (row.consumed_at !== null) return refuseReuse(deps, row);
  if (Number(row.expires_at) <= now) throw invalid("authorization code expired");
  if (params.redirect_uri !== undefined && params.redirect_uri !== row.redirect_uri)
    throw invalid("redirect_uri does not match the authorization request");
  assertVerifier(row, params.code_verifier);
  if (!(await deps.sessions.isActive(row.browser_session_id, row.user_id)))
    throw invalid("the sign-in this code was issued in has ended");
  const user = await deps.repos.users.findUserById(row.pool_id, row.user_id);
  if (user?.status !== "Activated") throw invalid("authorization code is invalid");

  try {
    return await deps.tokens.issueForLogin(
      {
        app,
        user,
        scope: row.scope,
        nonce: row.nonce ?? undefined,
        ip: meta.ip,
        userAgent: meta.userAgent,
        authTime: Number(row.auth_time),
        parentSessionId: row.browser_session_id,
        amr: amrFromText(row.amr),
      },
      (sessionId) => [
        deps.repos.oidc.consumeCodeStep(codeHash, sessionId, now),
        ...oidcLoginSteps(deps.repos, deps.emit, { user, appId: app.id, now, meta }),
      ],
    );
  } catch (err) {
    // The user (or the application) deleted after its read above, by another request or node: the
    // session's foreign key refused the batch and nothing was kept. The answer of a user deleted before.
    if (isForeignKeyViolation(err)) throw invalid("authorization code is invalid");
    if (!(err instanceof StepFailed)) throw err;
    // Nothing of the login was kept: the code was spent meanwhile (a parallel exchange won).
    const spent = await deps.repos.oidc.findCode(codeHash);
    if (spent?.consumed_at == null) throw invalid("authorization code is invalid");
    return refuseReuse(deps, spent);
  }
}

/** RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for. */
async function refuseReuse(deps: AuthorizationCodeGrantDeps, row: AuthorizationCodeRow): Promise<never> {
  if (row.token_session_id) await deps.sessions.end(row.token_session_id, "authorization_code_reuse");
  throw invalid("authorization code was already used");
}

/** The grant-table entry: the application's client authentication, then the exchange. */
export function authorizationCodeGrant({
  auth,
  authorizationCodes,
}: Pick<GrantDeps, "auth" | "authorizationCodes">): Grant {
  return {
    async exchange({ body, client, appIdHeader, meta }) {
      const { app } = await auth.authenticateClient(client, { appId: appIdHeader });
      return exchangeAuthorizationCode(authorizationCodes, app, body, meta);
    },
  };
}
