import { oidcPaths } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { randomBase64url } from "../../lib/ids.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { BrowserSessions, CookieOptions } from "./browser-sessions.js";

/** A logout request waits ten minutes for the user to confirm. */
export const LOGOUT_REQUEST_TTL_MS = 10 * 60_000;

/** Where a confirmed logout without a registered post-logout URI ends up. */
export const SIGNED_OUT_PATH = oidcPaths.signedOut;

export interface LogoutRequest {
  id: string;
  appName?: string;
  /**
   * Where a confirmed logout returns: the confirmation page's CSP must allow its origin, since
   * browsers apply `form-action` to the redirect that answers the form (docs/hosted-pages.md).
   */
  postLogoutRedirectUri?: string;
  /** epoch ms */
  expiresAt: number;
}

const notFound = () => new ApiError("LOGOUT_REQUEST_NOT_FOUND");
const MAX_ID_LENGTH = 64;

/**
 * RP-initiated logout without an `id_token_hint`: the request is stored and the user asked to
 * confirm on `/logout/<id>` (docs/oidc-provider.md §Logout). Wired as `ctx.oidc.logout`.
 */
export function createLogoutRequests({
  repos,
  clock,
  browserSessions,
}: {
  repos: Repositories;
  clock: Clock;
  browserSessions: BrowserSessions;
}) {
  async function live(id: string) {
    if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) return undefined;
    const row = await repos.oidc.findLogoutRequest(id);
    if (!row || row.consumed_at !== null || Number(row.expires_at) <= clock.now()) return undefined;
    return row;
  }

  return {
    /** Stores a request whose redirect URI was already checked against the client's; returns its id. */
    async create(input: { appId?: string; postLogoutRedirectUri?: string; state?: string }): Promise<string> {
      const id = randomBase64url(16);
      const now = clock.now();
      await repos.oidc.insertLogoutRequest({
        id,
        app_id: input.appId ?? null,
        post_logout_redirect_uri: input.postLogoutRedirectUri ?? null,
        state: input.state ?? null,
        created_at: now,
        expires_at: now + LOGOUT_REQUEST_TTL_MS,
        consumed_at: null,
      });
      return id;
    },

    async find(id: string): Promise<LogoutRequest | undefined> {
      const row = await live(id);
      if (!row) return undefined;
      const app = row.app_id ? await repos.applications.findApplicationById(row.app_id) : undefined;
      return {
        id: row.id,
        ...(app ? { appName: app.name } : {}),
        ...(row.post_logout_redirect_uri ? { postLogoutRedirectUri: row.post_logout_redirect_uri } : {}),
        expiresAt: Number(row.expires_at),
      };
    },

    /** The user confirmed: the browser session (if the cookie names one) and its tokens end. */
    async confirm(
      id: string,
      cookieValue: string | undefined,
    ): Promise<{ redirectTo: string; clearCookie: { name: string; options: CookieOptions } }> {
      const row = await live(id);
      if (!row || !(await repos.oidc.consumeLogoutRequest(id, clock.now()))) throw notFound();
      const session = await browserSessions.read(cookieValue);
      if (session) await browserSessions.end(session.sessionId, "logout");
      let redirectTo: string = SIGNED_OUT_PATH;
      if (row.post_logout_redirect_uri) {
        const url = new URL(row.post_logout_redirect_uri);
        if (row.state !== null) url.searchParams.set("state", row.state);
        redirectTo = url.toString();
      }
      return {
        redirectTo,
        clearCookie: { name: browserSessions.cookieName, options: browserSessions.clearCookieOptions() },
      };
    },
  };
}

export type LogoutRequests = ReturnType<typeof createLogoutRequests>;
