import type { EndSessionQuery } from "@gatehouse/protocol";
import { OAuthError } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import { appConfig } from "../tokens/app-config.js";
import type { Sessions } from "../tokens/sessions.js";
import type { Tokens } from "../tokens/tokens.js";
import type { BrowserSessions } from "./browser-sessions.js";
import type { LogoutRequests } from "./logout.js";

/** What `/oidc/session/end` does: redirect now, or ask the user first (docs/oidc-provider.md §Logout). */
export type EndSessionResult =
  | { type: "ended"; userId: string; target?: URL }
  | { type: "confirm"; logoutRequestId: string };

export function createEndSession({
  repos,
  tokens,
  sessions,
  browserSessions,
  logout,
}: {
  repos: Repositories;
  tokens: Tokens;
  sessions: Sessions;
  browserSessions: BrowserSessions;
  logout: LogoutRequests;
}) {
  return {
    /**
     * RP-initiated logout (docs/wire-contract.md §2.7): with an `id_token_hint`, ends the session
     * it names — and the browser session it was issued in, with every token of that browser
     * session — and redirects, only ever to one of the application's registered logout URIs.
     * Without a hint the user is asked to confirm first.
     */
    async endSession(q: EndSessionQuery): Promise<EndSessionResult> {
      let appId = q.client_id;
      let sessionId: string | undefined;
      let userId = "";
      if (q.id_token_hint) {
        const named = await tokens.idTokenSession(q.id_token_hint);
        if (!named)
          throw new OAuthError("invalid_request", "id_token_hint is not a valid ID token of this issuer");
        if (appId && appId !== named.aud)
          throw new OAuthError("invalid_request", "id_token_hint was issued to another client");
        appId = named.aud;
        sessionId = named.sid;
        userId = named.sub;
      }
      // Every check before the session ends: a refused logout changes nothing.
      let target: URL | undefined;
      if (q.post_logout_redirect_uri) {
        const client = appId ? await repos.applications.findApplicationById(appId) : undefined;
        if (!client || !appConfig(client).logoutRedirectUris.includes(q.post_logout_redirect_uri)) {
          throw new OAuthError(
            "invalid_request",
            "post_logout_redirect_uri is not registered for this client",
          );
        }
        target = new URL(q.post_logout_redirect_uri);
        if (q.state) target.searchParams.set("state", q.state);
      }
      if (!sessionId) {
        const id = await logout.create({
          appId,
          postLogoutRedirectUri: q.post_logout_redirect_uri,
          state: q.post_logout_redirect_uri ? q.state : undefined,
        });
        return { type: "confirm", logoutRequestId: id };
      }
      const parent = (await repos.sessions.findSessionById(sessionId))?.parent_session_id;
      if (parent) await browserSessions.end(parent, "logout");
      await sessions.end(sessionId, "logout");
      return { type: "ended", userId, target };
    },
  };
}
