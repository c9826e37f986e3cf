import { createHash } from "node:crypto";
import type { TerminalSessionDto } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { parseUserAgent } from "../../lib/user-agent.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { SessionRow } from "../../storage/repos/sessions.js";
import type { Sessions } from "../tokens/sessions.js";

/** How many of the user's latest sessions the device list is made from. */
const RECENT_SESSIONS = 500;
/** A device the user unbound is not listed until it signs in again. */
const UNBOUND = "device_unbound";

export interface DeviceOwner {
  poolId: string;
  userId: string;
}

/** A device is a user agent: its id is a hash of the User-Agent header (stable, and names no secret). */
export const deviceIdOf = (userAgent: string | null): string =>
  createHash("sha256")
    .update(userAgent ?? "")
    .digest("hex")
    .slice(0, 24);

function deviceType(ua: ReturnType<typeof parseUserAgent>): TerminalSessionDto["device"]["type"] {
  if (ua.device === "mobile" || ua.device === "tablet") return "Mobile";
  return ua.name && !["Node.js", "axios", "curl"].includes(ua.name) ? "Browser" : "Desktop";
}

/**
 * My devices (`/api/v3/mydevices/*`, docs/passkeys.md §My devices): the user's sessions grouped by
 * the user agent they were opened from. Signing a device out ends its open sessions (and the
 * sessions opened in them); unbinding also hides it until it signs in again.
 */
export function createDevices({
  repos,
  clock,
  sessions,
}: {
  repos: Repositories;
  clock: Clock;
  sessions: Sessions;
}) {
  async function devices(owner: DeviceOwner) {
    const rows = await repos.sessions.listRecentUserSessions(owner.poolId, owner.userId, RECENT_SESSIONS);
    const now = clock.now();
    const byDevice = new Map<string, { latest: SessionRow; rows: SessionRow[]; online: boolean }>();
    for (const row of rows) {
      const id = deviceIdOf(row.user_agent);
      const open = row.ended_at === null && Number(row.expires_at) > now;
      const seen = byDevice.get(id);
      if (seen) {
        seen.rows.push(row);
        seen.online ||= open;
      } else byDevice.set(id, { latest: row, rows: [row], online: open });
    }
    // A device the user unbound stays away until a later sign-in (its latest session is then newer).
    return [...byDevice.entries()].filter(([, d]) => d.latest.end_reason !== UNBOUND);
  }

  async function end(owner: DeviceOwner, deviceId: string, reason: string): Promise<void> {
    const all = await repos.sessions.listRecentUserSessions(owner.poolId, owner.userId, RECENT_SESSIONS);
    const mine = all.filter((r) => deviceIdOf(r.user_agent) === deviceId);
    if (mine.length === 0) throw new ApiError("DEVICE_NOT_FOUND");
    const open = mine.filter((r) => r.ended_at === null).map((r) => r.id);
    const ended = await repos.sessions.endUserSessionTrees(
      owner.poolId,
      owner.userId,
      open,
      clock.now(),
      reason,
    );
    sessions.endedElsewhere(ended);
    // Unbinding a device whose sessions had all ended already still hides it: its latest row says so.
    if (reason === UNBOUND && !open.includes(mine[0]?.id ?? ""))
      await repos.sessions.markSessionEndReason(mine[0]?.id ?? "", UNBOUND);
  }

  return {
    async list(owner: DeviceOwner, page: { page: number; limit: number }): Promise<TerminalSessionDto[]> {
      const all = await devices(owner);
      return all.slice((page.page - 1) * page.limit, page.page * page.limit).map(([deviceId, d]) => {
        const ua = parseUserAgent(d.latest.user_agent);
        return {
          device: {
            deviceId,
            name: ua.name || undefined,
            type: deviceType(ua),
            os: ua.os || undefined,
            status: "activated",
            userAgent: d.latest.user_agent ?? undefined,
          },
          lastLoginTime: new Date(Number(d.latest.created_at)).toISOString(),
          lastIp: d.latest.ip ?? undefined,
          online: d.online,
        };
      });
    },
    /** `mydevices/revoke-session`: the device's sessions end; it stays listed, offline. */
    revoke: (owner: DeviceOwner, deviceId: string) => end(owner, deviceId, "device_signed_out"),
    /** `mydevices/unbind`: signed out and no longer listed until it signs in again. */
    unbind: (owner: DeviceOwner, deviceId: string) => end(owner, deviceId, UNBOUND),
  };
}
export type Devices = ReturnType<typeof createDevices>;
