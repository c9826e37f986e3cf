import { createHmac } from "node:crypto";
import type { Clock } from "../../lib/clock.js";
import { randomBase64url } from "../../lib/ids.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import { appConfig } from "../tokens/app-config.js";
import { amrText } from "../tokens/auth-context.js";
import type { AuthorizationRequest } from "./authorize/types.js";
import type { BrowserSession } from "./browser-sessions.js";

/**
 * Authorization codes (docs/oidc-provider.md §Codes): 256 bits, stored hashed, bound to the
 * client, redirect URI, PKCE challenge, nonce, scope and browser session; spent once by the
 * authorization_code grant.
 */
/**
 * Spent and expired rows are dropped on the first issue and every PURGE_EVERY-th after (codes a day
 * after expiry: a late reuse still revokes).
 */
const PURGE_EVERY = 500;
const KEEP_AFTER_EXPIRY_MS = 86_400_000;

export function createAuthorizationCodes({
  repos,
  clock,
  secret,
}: {
  repos: Repositories;
  clock: Clock;
  secret: string;
}) {
  const hash = (code: string) =>
    createHmac("sha256", secret).update(`authorization_code:${code}`).digest("hex");
  let issued = 0;
  return {
    hash,
    async issue(
      app: ApplicationRow,
      session: BrowserSession,
      request: AuthorizationRequest,
    ): Promise<string> {
      const code = randomBase64url(32);
      const now = clock.now();
      await repos.oidc.insertCode({
        code_hash: hash(code),
        pool_id: app.pool_id,
        app_id: app.id,
        user_id: session.userId,
        browser_session_id: session.sessionId,
        redirect_uri: request.redirectUri,
        scope: request.scope,
        nonce: request.nonce ?? null,
        code_challenge: request.codeChallenge ?? null,
        code_challenge_method: request.codeChallengeMethod ?? null,
        auth_time: session.authTime,
        created_at: now,
        expires_at: now + appConfig(app).authorizationCodeExpire * 1000,
        consumed_at: null,
        token_session_id: null,
        amr: amrText(session.amr),
      });
      if (++issued % PURGE_EVERY === 1) await repos.oidc.purgeExpired(now - KEEP_AFTER_EXPIRY_MS);
      return code;
    },
  };
}

export type AuthorizationCodes = ReturnType<typeof createAuthorizationCodes>;
