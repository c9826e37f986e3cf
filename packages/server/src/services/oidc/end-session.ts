import type { EndSessionQuery } from "@gatehouse/protocol";
import { OAuthError } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import { appConfig } from "../tokens/app-config.js";
import type { Sessions } from "../tokens/sessions.js";
import type { Tokens } from "../tokens/tokens.js";

export function createEndSession({
  repos,
  tokens,
  sessions,
}: {
  repos: Repositories;
  tokens: Tokens;
  sessions: Sessions;
}) {
  return {
    /**
     * RP-initiated logout (docs/wire-contract.md §2.7): ends the session named by `id_token_hint`;
     * returns where to redirect, only ever one of the application's registered logout URIs.
     */
    async endSession(q: EndSessionQuery): Promise<URL | undefined> {
      let appId = q.client_id;
      let sessionId: string | undefined;
      if (q.id_token_hint) {
        const named = await tokens.idTokenSession(q.id_token_hint);
        if (!named)
          throw new OAuthError("invalid_request", "id_token_hint is not a valid ID token of this issuer");
        if (appId && appId !== named.aud)
          throw new OAuthError("invalid_request", "id_token_hint was issued to another client");
        appId = named.aud;
        sessionId = named.sid;
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
      if (sessionId) await sessions.end(sessionId, "logout");
      return target;
    },
  };
}
