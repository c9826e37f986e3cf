import { newId } from "../../lib/ids.js";
import { parseUserAgent } from "../../lib/user-agent.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { RequestMeta } from "../auth/scope.js";

/**
 * What a login through the OpenID Provider leaves behind, in the transaction that opens its
 * session: the user's last login and a history line with method `oidc`, so
 * `get-my-logged-in-apps` and the login history show the application.
 */
export async function recordOidcLogin(
  tx: Repositories,
  login: { poolId: string; userId: string; appId: string; now: number; meta: RequestMeta },
): Promise<void> {
  const { poolId, userId, appId, now, meta } = login;
  const ua = parseUserAgent(meta.userAgent);
  await tx.userLogins.recordUserLogin(poolId, userId, {
    now,
    ip: meta.ip,
    appId,
    browser: ua.name || null,
    device: ua.device || null,
  });
  await tx.loginHistory.insertLoginHistory({
    id: newId(),
    pool_id: poolId,
    user_id: userId,
    app_id: appId,
    created_at: now,
    ip: meta.ip,
    user_agent: meta.userAgent ? meta.userAgent.slice(0, 512) : null,
    method: "oidc",
    success: 1,
    reason: null,
  });
}
