import type { FastifyRequest } from "fastify";
import type { Context } from "../../context.js";
import { ApiError } from "../../errors.js";
import { requestMeta } from "../../http/app-scope.js";
import type { AppScope } from "../../services/auth/index.js";
import { SESSION_COOKIE } from "../../services/oidc/browser-sessions.js";
import type { AccountQuery } from "./forms.js";
import type { AccountScene } from "./types.js";

/** The scopes the page acts with: the whole profile is the user's own. */
const PAGE_SCOPE = "openid profile email phone address username";

export const ACCOUNT_PATH = "/account";

/**
 * The application the page speaks for (docs/account-page.md §Signing in): `?app_id=` when it
 * names an application of the session's pool, else the one the browser signed in through.
 */
async function scopeFor(
  ctx: Context,
  poolId: string,
  sessionAppId: string,
  asked?: string,
): Promise<AppScope> {
  if (asked && asked !== sessionAppId) {
    try {
      const scope = await ctx.auth.resolveScope(asked);
      if (scope.pool.id === poolId) return scope;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  return ctx.auth.resolveScope(sessionAppId);
}

/** The signed-in browser of this request; undefined when there is none (or its user is gone or suspended). */
export async function loadAccount(ctx: Context, request: FastifyRequest): Promise<AccountScene | undefined> {
  const session = await ctx.oidc.browserSessions.read(request.cookies[SESSION_COOKIE]);
  if (!session) return undefined;
  const [user, row] = await Promise.all([
    ctx.repos.users.findUserById(session.poolId, session.userId),
    ctx.repos.sessions.findSessionById(session.sessionId),
  ]);
  if (user?.status !== "Activated" || !row) return undefined;
  const asked = (request.query as AccountQuery | undefined)?.app_id;
  const scope = await scopeFor(ctx, session.poolId, row.app_id, asked);
  const who = {
    poolId: session.poolId,
    userId: user.id,
    sessionId: session.sessionId,
    scope: PAGE_SCOPE,
    settings: scope.settings,
    meta: requestMeta(request, scope.app.id),
  };
  return { session, user, scope, who, fresh: ctx.account.reauth.isFresh(session, scope.settings) };
}

/**
 * No browser session: a sign-in on the hosted pages that comes back here. The application is
 * `?app_id=` or the default one of the first start; the interaction is for it, like any other.
 */
export async function signInFirst(ctx: Context, query: AccountQuery): Promise<string> {
  let appId = query.app_id;
  if (!appId) {
    const stored = await ctx.repos.meta.getMeta("bootstrap");
    appId = stored ? (JSON.parse(stored) as { appId?: string }).appId : undefined;
  }
  const app = appId ? await ctx.repos.applications.findApplicationById(appId) : undefined;
  if (!app) throw new ApiError("APP_NOT_FOUND");
  const back = query.app_id ? `${ACCOUNT_PATH}?app_id=${encodeURIComponent(app.id)}` : ACCOUNT_PATH;
  const uid = await ctx.oidc.interactions.create({
    kind: "login",
    app,
    request: {
      clientId: app.id,
      redirectUri: `${ctx.config.publicUrl.replace(/\/+$/, "")}${ACCOUNT_PATH}`,
      responseType: "code",
      responseMode: "query",
      scope: "openid",
      prompt: ["login"],
      ...(query.ui_locales ? { uiLocales: query.ui_locales } : {}),
      returnTo: back,
    },
  });
  return `/interaction/${uid}`;
}
