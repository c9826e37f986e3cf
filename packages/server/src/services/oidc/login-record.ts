import { newId } from "../../lib/ids.js";
import { parseUserAgent } from "../../lib/user-agent.js";
import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { RequestMeta } from "../auth/scope.js";

/**
 * What a login through the OpenID Provider leaves behind, in the batch that opens its session: the
 * user's last login and a history line with method `oidc`, so `get-my-logged-in-apps` and the login
 * history show the application.
 */
export function oidcLoginSteps(
  repos: Repositories,
  login: { poolId: string; userId: string; appId: string; now: number; meta: RequestMeta },
): Step[] {
  const { poolId, userId, appId, now, meta } = login;
  const ua = parseUserAgent(meta.userAgent);
  return [
    repos.userLogins.recordUserLoginStep(poolId, userId, {
      now,
      ip: meta.ip,
      appId,
      browser: ua.name || null,
      device: ua.device || null,
    }),
    repos.loginHistory.insertLoginHistoryStep({
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
    }),
  ];
}
