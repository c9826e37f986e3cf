import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { describeUserAgent } from "../../lib/user-agent.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { SessionRow } from "../../storage/repos/sessions.js";
import { type Emit, userEvent, withEvents } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import type { Sessions } from "../tokens/sessions.js";

/** One signed-in session as the account page lists it (docs/account-page.md §Sessions and devices). */
export interface DeviceSession {
  sessionId: string;
  appId: string;
  appName: string;
  ip: string;
  browser: string;
  browserVersion: string;
  os: string;
  device: string;
  /** epoch ms */
  signedInAt: number;
  /** epoch ms: the session's start or the newest sign-in to an application made in it. */
  lastActiveAt: number;
  current: boolean;
}

export interface AccountDevicesDeps {
  repos: Repositories;
  sessions: Pick<Sessions, "endedElsewhere">;
  clock: Clock;
  emit: Emit;
}

/**
 * The user's own signed-in sessions: listed with their application and device, ended one by one
 * or all but the current one. Ending commits with a `kick` event and reaches every node through
 * the session service (docs/reliability.md), like logout.
 */
export function createAccountDevices({ repos, sessions, clock, emit }: AccountDevicesDeps) {
  /** Sessions opened inside another (a browser session's code exchanges) are shown as their parent's activity. */
  function topLevel(rows: SessionRow[]) {
    const ids = new Set(rows.map((r) => r.id));
    const lastActive = new Map<string, number>();
    for (const r of rows) {
      const owner = r.parent_session_id && ids.has(r.parent_session_id) ? r.parent_session_id : r.id;
      lastActive.set(owner, Math.max(lastActive.get(owner) ?? 0, Number(r.created_at)));
    }
    return rows
      .filter((r) => !(r.parent_session_id && ids.has(r.parent_session_id)))
      .map((r) => ({ row: r, lastActiveAt: lastActive.get(r.id) ?? Number(r.created_at) }));
  }

  async function end(
    origin: EventOrigin,
    poolId: string,
    userId: string,
    sessionIds: string[],
  ): Promise<number> {
    const user = await repos.users.findUserById(poolId, userId);
    if (!user || sessionIds.length === 0) return 0;
    const ended = await withEvents(repos, async (tx) => {
      const ids = await tx.sessions.endUserSessionTrees(
        poolId,
        userId,
        sessionIds,
        clock.now(),
        "signed_out",
      );
      if (ids.length > 0) await emit(tx, origin, userEvent("kick", user, { sessionIds: ids }));
      return ids;
    });
    sessions.endedElsewhere(ended);
    return ended.length;
  }

  return {
    async list(poolId: string, userId: string, currentSessionId: string): Promise<DeviceSession[]> {
      const rows = topLevel(await repos.sessions.listOpenUserSessions(poolId, userId, clock.now()));
      const names = new Map<string, string>();
      for (const appId of new Set(rows.map((r) => r.row.app_id))) {
        names.set(appId, (await repos.applications.findApplicationById(appId))?.name ?? "");
      }
      return rows.map(({ row, lastActiveAt }) => {
        const ua = describeUserAgent(row.user_agent);
        return {
          sessionId: row.id,
          appId: row.app_id,
          appName: names.get(row.app_id) ?? "",
          ip: row.ip ?? "",
          browser: ua.name,
          browserVersion: ua.version,
          os: ua.os,
          device: ua.device,
          signedInAt: Number(row.created_at),
          lastActiveAt,
          current: row.id === currentSessionId,
        };
      });
    },

    /** Signs one other session out; the current one is signed out by logging out. */
    async endOne(
      origin: EventOrigin,
      poolId: string,
      userId: string,
      sessionId: string,
      currentSessionId: string,
    ): Promise<void> {
      if (sessionId === currentSessionId) throw new ApiError("SESSION_NOT_FOUND");
      const open = await repos.sessions.listOpenUserSessions(poolId, userId, clock.now());
      if (!open.some((r) => r.id === sessionId)) throw new ApiError("SESSION_NOT_FOUND");
      await end(origin, poolId, userId, [sessionId]);
    },

    /** Signs every other session out; returns how many sessions ended. */
    async endOthers(
      origin: EventOrigin,
      poolId: string,
      userId: string,
      currentSessionId: string,
    ): Promise<number> {
      const open = await repos.sessions.listOpenUserSessions(poolId, userId, clock.now());
      const others = open.filter(
        (r) => r.id !== currentSessionId && r.parent_session_id !== currentSessionId,
      );
      return end(
        origin,
        poolId,
        userId,
        others.map((r) => r.id),
      );
    },
  };
}
export type AccountDevices = ReturnType<typeof createAccountDevices>;
