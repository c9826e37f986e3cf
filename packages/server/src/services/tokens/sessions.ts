import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { SessionRow } from "../../storage/repos/sessions.js";
import { amrText } from "./auth-context.js";

export interface SessionService {
  /** End every session of a user (optionally all but one); their tokens stop working at once. */
  endUserSessions(
    poolId: string,
    userId: string,
    options?: { exceptSessionId?: string; appIds?: string[] },
  ): Promise<void>;
}

interface SessionState {
  userId: string;
  poolId: string;
  expiresAt: number;
  endedAt: number | null;
}

interface CacheEntry {
  state: SessionState | undefined;
  readAt: number;
}

export interface SessionsOptions {
  /**
   * How long a node trusts what it read about a session. A session ended on another node
   * stops working here within this time; on the node that ended it, at once.
   */
  cacheTtlMs?: number;
  maxCachedSessions?: number;
  /**
   * Told the ids of sessions this node ended or changed, so other nodes can drop what they
   * cached at once (storage/redis/session-broadcast.ts) instead of after `cacheTtlMs`.
   */
  onChanged?: (sessionIds: string[]) => void;
}

export interface NewSession {
  poolId: string;
  userId: string;
  appId: string;
  scope: string;
  ip: string | null;
  userAgent: string | null;
  expiresAt: number;
  /** The browser session a code exchange opens this one in (docs/oidc-provider.md). */
  parentSessionId?: string;
  /** How the user signed in: kept for the ID tokens its refreshes mint (docs/mfa.md §amr and acr). */
  amr?: readonly string[];
}

export interface SessionsDeps extends SessionsOptions {
  repos: Repositories;
  clock: Clock;
}

/** One session per login (`sid`), with a short per-node cache of their state; wired as `ctx.sessions`. */
export function createSessions({ repos, clock, cacheTtlMs, maxCachedSessions, onChanged }: SessionsDeps) {
  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<SessionState | undefined>>();
  /** Bumped on every local end: a read that started before it must not repopulate the cache. */
  let generation = 0;
  const ttl = cacheTtlMs ?? 900;
  const max = maxCachedSessions ?? 100_000;

  function forget(sessionId: string): void {
    generation++;
    cache.delete(sessionId);
    inflight.delete(sessionId);
  }

  async function state(sessionId: string): Promise<SessionState | undefined> {
    const now = clock.now();
    const hit = cache.get(sessionId);
    if (hit && now - hit.readAt < ttl) return hit.state;
    const pending = inflight.get(sessionId);
    if (pending) return pending;
    const started = generation;
    const reading = read(sessionId).finally(() => {
      if (inflight.get(sessionId) === reading) inflight.delete(sessionId);
    });
    inflight.set(sessionId, reading);
    const found = await reading;
    if (started === generation) remember(sessionId, { state: found, readAt: now });
    return found;
  }

  async function read(sessionId: string): Promise<SessionState | undefined> {
    const row = await repos.sessions.findSessionState(sessionId);
    return row
      ? { userId: row.user_id, poolId: row.pool_id, expiresAt: row.expires_at, endedAt: row.ended_at }
      : undefined;
  }

  function remember(sessionId: string, entry: CacheEntry): void {
    cache.delete(sessionId);
    cache.set(sessionId, entry);
    if (cache.size > max) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }

  return {
    /** The row of a new session; the login that opens it inserts it in its own transaction (tokens' issueForLogin). */
    newRow(s: NewSession): SessionRow {
      return {
        id: newId(),
        pool_id: s.poolId,
        user_id: s.userId,
        app_id: s.appId,
        scope: s.scope,
        ip: s.ip,
        user_agent: s.userAgent,
        created_at: clock.now(),
        expires_at: s.expiresAt,
        ended_at: null,
        end_reason: null,
        parent_session_id: s.parentSessionId ?? null,
        amr: s.amr && s.amr.length > 0 ? amrText(s.amr) : null,
      };
    },

    /** The hot path: open and not expired, from the per-node cache when fresh. */
    async isActive(sessionId: string, userId: string): Promise<{ poolId: string } | undefined> {
      const found = await state(sessionId);
      if (!found || found.userId !== userId || found.endedAt !== null) return undefined;
      if (found.expiresAt <= clock.now()) return undefined;
      return { poolId: found.poolId };
    },

    /** Ends one session; returns whether it was open. */
    async end(sessionId: string, reason: string): Promise<boolean> {
      const ended = await repos.sessions.endSession(sessionId, clock.now(), reason);
      forget(sessionId);
      onChanged?.([sessionId]);
      return ended;
    },

    async endUserSessions(
      poolId: string,
      userId: string,
      options: { exceptSessionId?: string; appIds?: string[]; reason?: string } = {},
    ): Promise<void> {
      const ids = await repos.sessions.endUserSessions(
        poolId,
        userId,
        clock.now(),
        options.reason ?? "ended",
        options,
      );
      for (const id of ids) forget(id);
      if (ids.length > 0) onChanged?.(ids);
    },

    /** Sessions a caller ended inside its own transaction, once it committed: forget them here and elsewhere. */
    endedElsewhere(sessionIds: readonly string[]): void {
      for (const id of sessionIds) forget(id);
      if (sessionIds.length > 0) onChanged?.([...sessionIds]);
    },

    /** Drops what this node cached about a session (after a write made elsewhere, e.g. in a transaction). */
    invalidate(sessionId: string): void {
      forget(sessionId);
      onChanged?.([sessionId]);
    },

    /** Another node ended or changed these sessions: drop what this node cached about them. */
    forgetCached(sessionIds: readonly string[]): void {
      for (const id of sessionIds) forget(id);
    },
  };
}

/** What callers hold: `ctx.sessions` (a SessionService and more). */
export type Sessions = ReturnType<typeof createSessions>;
