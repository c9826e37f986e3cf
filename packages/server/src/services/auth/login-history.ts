import type { LoggedInAppDto, LoginHistoryDto, LoginHistoryQuery } from "@gatehouse/protocol";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import { parseUserAgent } from "../../lib/user-agent.js";
import type { Step } from "../../storage/repos/all-or-nothing.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { LoginHistoryFilter, LoginHistoryRow } from "../../storage/repos/login-history.js";
import { appConfig } from "../tokens/app-config.js";

export interface LoginAttempt {
  poolId: string;
  userId: string | null;
  appId: string;
  ip: string | null;
  userAgent: string | null;
  /** e.g. "password:email", "passcode:phone" */
  method: string;
  success: boolean;
  /** Why it failed (a short code), or null. */
  reason: string | null;
}

function historyRow(clock: Clock, a: LoginAttempt): LoginHistoryRow {
  return {
    id: newId(),
    pool_id: a.poolId,
    user_id: a.userId,
    app_id: a.appId,
    created_at: clock.now(),
    ip: a.ip,
    user_agent: a.userAgent ? a.userAgent.slice(0, 512) : null,
    method: a.method,
    success: a.success ? 1 : 0,
    reason: a.reason,
  };
}

/** Records one sign-in attempt; never fails the sign-in it describes. */
async function recordLoginAttempt(repos: Repositories, clock: Clock, a: LoginAttempt): Promise<void> {
  await repos.loginHistory.insertLoginHistory(historyRow(clock, a));
}

/** App name/logo/login URL for display; also used by the management API. */
export interface AppSummary {
  appId: string;
  appName: string;
  appLogo: string;
  appLoginUrl: string;
}

export function appSummary(app: ApplicationRow | undefined, appId: string): AppSummary {
  if (!app) return { appId, appName: "", appLogo: "", appLoginUrl: "" };
  const cfg = appConfig(app);
  return { appId, appName: app.name, appLogo: cfg.appLogo ?? "", appLoginUrl: cfg.initLoginUri ?? "" };
}

async function summaries(repos: Repositories, appIds: string[]): Promise<Map<string, AppSummary>> {
  const unique = [...new Set(appIds)];
  const apps = await repos.applications.findApplicationsByIds(unique);
  return new Map(
    unique.map((id) => [
      id,
      appSummary(
        apps.find((a) => a.id === id),
        id,
      ),
    ]),
  );
}

const EMPTY_GEOIP = {
  location: { lon: 0, lat: 0 },
  country_name: "",
  country_code2: "",
  country_code3: "",
  region_name: "",
  region_code: "",
  city_name: "",
  continent_code: "",
  timezone: "",
};

function toLoginHistoryDto(row: LoginHistoryRow, app: AppSummary): LoginHistoryDto {
  return {
    userId: row.user_id ?? "",
    ...app,
    loginAt: new Date(row.created_at).toISOString(),
    clientIp: row.ip ?? "",
    success: row.success === 1,
    ...(row.reason ? { errorMessage: row.reason } : {}),
    userAgent: row.user_agent ?? "",
    parsedUserAgent: parseUserAgent(row.user_agent),
    loginMethod: row.method,
    geoip: EMPTY_GEOIP,
  };
}

/** A page of login history with app details; `GET /api/v3/get-my-login-history` and management reuse it. */
export async function loginHistoryPage(
  repos: Repositories,
  filter: LoginHistoryFilter,
  page: number,
  limit: number,
): Promise<{ totalCount: number; list: LoginHistoryDto[] }> {
  const { totalCount, rows } = await repos.loginHistory.listLoginHistory(filter, page, limit);
  const apps = await summaries(
    repos,
    rows.map((r) => r.app_id),
  );
  return { totalCount, list: rows.map((r) => toLoginHistoryDto(r, apps.get(r.app_id) as AppSummary)) };
}

function myLoginHistory(
  repos: Repositories,
  user: { poolId: string; userId: string },
  q: LoginHistoryQuery,
): Promise<{ totalCount: number; list: LoginHistoryDto[] }> {
  return loginHistoryPage(
    repos,
    {
      poolId: user.poolId,
      userId: user.userId,
      appId: q.appId,
      clientIp: q.clientIp,
      success: q.success,
      start: q.start,
      end: q.end,
    },
    q.page,
    q.limit,
  );
}

/** Apps the user has signed in to, newest first; `active` while a session is open. */
export async function loggedInApps(
  repos: Repositories,
  clock: Clock,
  poolId: string,
  userId: string,
): Promise<LoggedInAppDto[]> {
  const rows = await repos.sessions.listUserSessionApps(poolId, userId, clock.now());
  const apps = await summaries(
    repos,
    rows.map((r) => r.app_id),
  );
  return rows.map((r) => ({ ...(apps.get(r.app_id) as AppSummary), active: r.active }));
}

/** The sign-in history: written by sign-in, read by the signed-in user (and the management API). */
export function createLoginHistory({ repos, clock }: { repos: Repositories; clock: Clock }) {
  return {
    /** Records one attempt; pass the login's transaction repositories to commit with it. */
    recordAttempt: (a: LoginAttempt, tx: Repositories = repos) => recordLoginAttempt(tx, clock, a),
    /** The attempt as a step of the login's all-or-nothing batch (storage/repos/all-or-nothing.ts). */
    attemptStep: (a: LoginAttempt): Step => repos.loginHistory.insertLoginHistoryStep(historyRow(clock, a)),
    /** `GET /api/v3/get-my-login-history`. */
    myLoginHistory: (user: { poolId: string; userId: string }, q: LoginHistoryQuery) =>
      myLoginHistory(repos, user, q),
    /** `GET /api/v3/get-my-logged-in-apps`. */
    myLoggedInApps: (user: { poolId: string; userId: string }) =>
      loggedInApps(repos, clock, user.poolId, user.userId),
  };
}
export type LoginHistory = ReturnType<typeof createLoginHistory>;
