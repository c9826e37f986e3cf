import { ApiError } from "../../../errors.js";
import type { Clock } from "../../../lib/clock.js";
import { isForeignKeyViolation } from "../../../storage/db.js";
import type { ApplicationRow } from "../../../storage/repos/applications.js";
import type { Repositories } from "../../../storage/repos/index.js";
import type { UserRow } from "../../../storage/repos/users.js";
import type { RequestMeta } from "../../auth/scope.js";
import type { Emit } from "../../events/emit.js";
import { appConfig } from "../../tokens/app-config.js";
import { asksForMfa } from "../../tokens/auth-context.js";
import { scopeSet } from "../../tokens/claims.js";
import type { Tokens } from "../../tokens/tokens.js";
import type { AuthorizationCodes } from "../authorization-codes.js";
import type { BrowserSession, BrowserSessions } from "../browser-sessions.js";
import type { Interactions } from "../interactions.js";
import { oidcLoginSteps } from "../login-record.js";
import { authorizationResponse, errorResponse } from "./respond.js";
import type { AuthorizationRequest, AuthorizeOutcome, RawAuthorizationParams } from "./types.js";
import { type ValidateOptions, validateAuthorization } from "./validate.js";

export interface AuthorizeDeps {
  repos: Repositories;
  clock: Clock;
  tokens: Tokens;
  codes: AuthorizationCodes;
  browserSessions: BrowserSessions;
  interactions: Interactions;
  emit: Emit;
  /** Application access control (docs/authorization.md §Application access); absent: everyone. */
  mayUseApp?: (poolId: string, appId: string, userId: string) => Promise<boolean>;
  /** Whether the MFA policy asks this user for a second factor through this application; absent: never. */
  owesSecondFactor?: (poolId: string, appId: string, userId: string) => Promise<boolean>;
}

/** What an earlier interaction of this request already settled. */
interface Settled {
  login: boolean;
  consent: boolean;
}

export const interactionPath = (uid: string) => `/interaction/${uid}`;

/**
 * The authorization endpoint (docs/oidc-provider.md §Authorization request): validate, then sign
 * in, then consent, then answer — pausing in an interaction whenever the user must act, and
 * resuming where it paused.
 */
export function createAuthorize(deps: AuthorizeDeps) {
  const { repos, clock, browserSessions, interactions } = deps;

  /** The cookie's browser session, if it is one of the application's pool. */
  async function sessionFor(app: ApplicationRow, cookie: string | undefined) {
    const session = await browserSessions.read(cookie);
    return session?.poolId === app.pool_id ? session : undefined;
  }

  function mustSignIn(request: AuthorizationRequest, session: BrowserSession | undefined, settled: Settled) {
    if (!session) return true;
    if (settled.login) return false;
    if (request.prompt.includes("login") || request.prompt.includes("select_account")) return true;
    return request.maxAge !== undefined && clock.now() - session.authTime > request.maxAge * 1000;
  }

  /**
   * A session signed in without a second factor, where the RP's `acr_values` or the application's
   * MFA policy asks for one: the browser proves only the second factor (a step-up, docs/mfa.md
   * §Step-up), then the session has it.
   */
  async function mustStepUp(
    app: ApplicationRow,
    request: AuthorizationRequest,
    session: BrowserSession,
    settled: Settled,
  ) {
    if (settled.login || session.amr.includes("mfa")) return false;
    if (asksForMfa(request.acrValues)) return true;
    return (await deps.owesSecondFactor?.(app.pool_id, app.id, session.userId)) ?? false;
  }

  async function mustConsent(
    app: ApplicationRow,
    user: UserRow,
    request: AuthorizationRequest,
    settled: Settled,
  ) {
    if (settled.consent) return false;
    if (request.prompt.includes("consent")) return true;
    if (appConfig(app).skipConsent) return false;
    const remembered = scopeSet((await repos.oidc.findConsent(user.id, app.id)) ?? "");
    return ![...scopeSet(request.scope)].every((s) => remembered.has(s));
  }

  async function proceed(
    app: ApplicationRow,
    request: AuthorizationRequest,
    session: BrowserSession | undefined,
    settled: Settled,
    meta: RequestMeta,
  ): Promise<AuthorizeOutcome> {
    const none = request.prompt.includes("none");
    const user = session ? await repos.users.findUserById(session.poolId, session.userId) : undefined;
    const toSignIn = async (): Promise<AuthorizeOutcome> => {
      if (none) return errorResponse(request, "login_required", "the user must sign in", request.state);
      const uid = await interactions.create({ kind: "login", app, request });
      return { type: "redirect", location: interactionPath(uid) };
    };
    if (!session || !user || user.status !== "Activated" || mustSignIn(request, session, settled))
      return toSignIn();
    if (await mustStepUp(app, request, session, settled)) {
      if (none) return errorResponse(request, "login_required", "a second factor is needed", request.state);
      // A login interaction that names the browser session it would raise.
      const uid = await interactions.create({
        kind: "login",
        app,
        request,
        userId: user.id,
        sessionId: session.sessionId,
      });
      return { type: "redirect", location: interactionPath(uid) };
    }
    if (deps.mayUseApp && !(await deps.mayUseApp(app.pool_id, app.id, user.id)))
      return errorResponse(
        request,
        "access_denied",
        "the application does not allow this user",
        request.state,
      );
    if (await mustConsent(app, user, request, settled)) {
      if (none) return errorResponse(request, "consent_required", "the user must consent", request.state);
      const uid = await interactions.create({
        kind: "consent",
        app,
        request,
        userId: user.id,
        sessionId: session.sessionId,
      });
      return { type: "redirect", location: interactionPath(uid) };
    }
    try {
      return await respond(app, user, session, request, meta);
    } catch (err) {
      // The user deleted since the read above (docs/behaviour-and-errors.md §1.10): the login's
      // batch, which refers to them, kept nothing; the browser answers as with no user.
      if (!isForeignKeyViolation(err)) throw err;
      return toSignIn();
    }
  }

  /** The response itself: a code, tokens, or both, in the request's response mode. */
  async function respond(
    app: ApplicationRow,
    user: UserRow,
    session: BrowserSession,
    request: AuthorizationRequest,
    meta: RequestMeta,
  ): Promise<AuthorizeOutcome> {
    const words = request.responseType.split(" ");
    const params: Record<string, string | undefined> = {};
    const code = words.includes("code") ? await deps.codes.issue(app, session, request) : undefined;
    params.code = code;
    if (words.includes("token") || words.includes("id_token")) {
      const grant = {
        app,
        user,
        scope: request.scope,
        nonce: request.nonce,
        ip: meta.ip,
        userAgent: meta.userAgent,
        authTime: session.authTime,
        parentSessionId: session.sessionId,
        refresh: false,
        code,
        amr: session.amr,
      };
      const steps = oidcLoginSteps(deps.repos, deps.emit, {
        user,
        appId: app.id,
        now: clock.now(),
        meta,
      });
      if (words.includes("token")) {
        const set = await deps.tokens.issueForLogin(grant, steps);
        params.access_token = set.access_token;
        params.token_type = set.token_type;
        params.expires_in = String(set.expires_in);
        params.scope = set.scope;
        if (words.includes("id_token")) params.id_token = set.id_token;
      } else {
        // An ID token alone (beside a code, or not): nobody would receive an access token, so none is signed.
        params.id_token = (await deps.tokens.issueIdTokenForLogin(grant, steps)).id_token;
      }
    }
    params.state = request.state;
    return authorizationResponse(request, params);
  }

  return {
    /** `/oidc/auth`: throws AuthorizeError (error page) or DraftError (back to the client). */
    async start(
      raw: RawAuthorizationParams,
      cookie: string | undefined,
      meta: RequestMeta,
      options: ValidateOptions,
    ): Promise<AuthorizeOutcome> {
      const { draft, request } = await validateAuthorization(raw, repos, options);
      const app = draft.app as ApplicationRow;
      return proceed(app, request, await sessionFor(app, cookie), { login: false, consent: false }, meta);
    },

    /** `/oidc/auth/resume/<uid>`: continues once the pages answered; unknown uid → INTERACTION_NOT_FOUND. */
    async resume(uid: string, cookie: string | undefined, meta: RequestMeta): Promise<AuthorizeOutcome> {
      const session = await browserSessions.read(cookie);
      const found = await interactions.takeAnswered(uid, session?.sessionId);
      if (!found) throw new ApiError("INTERACTION_NOT_FOUND");
      const { row, request } = found;
      if (row.outcome === "denied")
        return errorResponse(request, "access_denied", "the user denied the request", request.state);
      const app = await repos.applications.findApplicationById(row.app_id);
      if (!app || !session) throw new ApiError("INTERACTION_NOT_FOUND");
      // A sign-in for one of our own pages (the account page): signed in, back there; no client to answer.
      if (request.returnTo && /^\/[^/\\]/.test(request.returnTo))
        return { type: "redirect", location: request.returnTo };
      return proceed(app, request, session, { login: true, consent: row.outcome === "consent" }, meta);
    },
  };
}

export type Authorize = ReturnType<typeof createAuthorize>;
