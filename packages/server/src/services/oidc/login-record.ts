import { newId } from "../../lib/ids.js";
import { parseUserAgent } from "../../lib/user-agent.js";
import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { RequestMeta } from "../auth/scope.js";
import { type Emit, userEvent } from "../events/emit.js";

/**
 * What an application's sign-in through the OpenID Provider leaves behind, in the batch that opens
 * its session (a code exchange, or tokens answered by /oidc/auth): the user's last login, a history
 * line with method `oidc`, so `get-my-logged-in-apps` and the login history show the application,
 * and the `login` event with its `appId`, as `/api/v3/signin` emits (docs/oidc-provider.md §Login
 * history, docs/events.md). The hosted page's own form records how the user proved who they are
 * (`oidc:password:email` …) and emits no `login`: one application sign-in, one event.
 */
export function oidcLoginSteps(
  repos: Repositories,
  emit: Emit,
  login: { user: UserRow; appId: string; now: number; meta: RequestMeta },
): Step[] {
  const { user, appId, now, meta } = login;
  const ua = parseUserAgent(meta.userAgent);
  return [
    repos.userLogins.recordUserLoginStep(user.pool_id, user.id, {
      now,
      ip: meta.ip,
      appId,
      browser: ua.name || null,
      device: ua.device || null,
    }),
    repos.loginHistory.insertLoginHistoryStep({
      id: newId(),
      pool_id: user.pool_id,
      user_id: user.id,
      app_id: appId,
      created_at: now,
      ip: meta.ip,
      user_agent: meta.userAgent ? meta.userAgent.slice(0, 512) : null,
      method: "oidc",
      success: 1,
      reason: null,
    }),
    emit.step(repos, meta.origin, userEvent("login", user, { appId })),
  ];
}
