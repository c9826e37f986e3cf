import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { SessionRow } from "../../storage/repos/sessions.js";

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
   * cached at once (services/session-broadcast.ts, with Redis) instead of after `cacheTtlMs`.
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
}

/** One session per login (`sid`); implements SessionService (ports.ts), wired as `ctx.sessions`. */
export class Sessions implements SessionService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<SessionState | undefined>>();
  /** Bumped on every local end: a read that started before it must not repopulate the cache. */
  private generation = 0;
  private readonly ttl: number;
  private readonly max: number;
  private readonly onChanged?: (sessionIds: string[]) => void;

  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
    options: SessionsOptions = {},
  ) {
    this.ttl = options.cacheTtlMs ?? 900;
    this.max = options.maxCachedSessions ?? 100_000;
    this.onChanged = options.onChanged;
  }

  /** The row of a new session; the login that opens it inserts it in its own transaction (Tokens.issueForLogin). */
  newRow(s: NewSession): SessionRow {
    return {
      id: newId(),
      pool_id: s.poolId,
      user_id: s.userId,
      app_id: s.appId,
      scope: s.scope,
      ip: s.ip,
      user_agent: s.userAgent,
      created_at: this.clock.now(),
      expires_at: s.expiresAt,
      ended_at: null,
      end_reason: null,
    };
  }

  /** The hot path: open and not expired, from the per-node cache when fresh. */
  async isActive(sessionId: string, userId: string): Promise<{ poolId: string } | undefined> {
    const state = await this.state(sessionId);
    if (!state || state.userId !== userId || state.endedAt !== null) return undefined;
    if (state.expiresAt <= this.clock.now()) return undefined;
    return { poolId: state.poolId };
  }

  /** Ends one session; returns whether it was open. */
  async end(sessionId: string, reason: string): Promise<boolean> {
    const ended = await this.repos.sessions.endSession(sessionId, this.clock.now(), reason);
    this.forget(sessionId);
    this.onChanged?.([sessionId]);
    return ended;
  }

  async endUserSessions(
    poolId: string,
    userId: string,
    options: { exceptSessionId?: string; appIds?: string[]; reason?: string } = {},
  ): Promise<void> {
    const ids = await this.repos.sessions.endUserSessions(
      poolId,
      userId,
      this.clock.now(),
      options.reason ?? "ended",
      options,
    );
    for (const id of ids) this.forget(id);
    if (ids.length > 0) this.onChanged?.(ids);
  }

  /** Drops what this node cached about a session (after a write made elsewhere, e.g. in a transaction). */
  invalidate(sessionId: string): void {
    this.forget(sessionId);
    this.onChanged?.([sessionId]);
  }

  /** Another node ended or changed these sessions: drop what this node cached about them. */
  forgetCached(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.forget(id);
  }

  private forget(sessionId: string): void {
    this.generation++;
    this.cache.delete(sessionId);
    this.inflight.delete(sessionId);
  }

  private async state(sessionId: string): Promise<SessionState | undefined> {
    const now = this.clock.now();
    const hit = this.cache.get(sessionId);
    if (hit && now - hit.readAt < this.ttl) return hit.state;
    const pending = this.inflight.get(sessionId);
    if (pending) return pending;
    const generation = this.generation;
    const read = this.read(sessionId).finally(() => {
      if (this.inflight.get(sessionId) === read) this.inflight.delete(sessionId);
    });
    this.inflight.set(sessionId, read);
    const state = await read;
    if (generation === this.generation) this.remember(sessionId, { state, readAt: now });
    return state;
  }

  private async read(sessionId: string): Promise<SessionState | undefined> {
    const row = await this.repos.sessions.findSessionState(sessionId);
    return row
      ? { userId: row.user_id, poolId: row.pool_id, expiresAt: row.expires_at, endedAt: row.ended_at }
      : undefined;
  }

  private remember(sessionId: string, entry: CacheEntry): void {
    this.cache.delete(sessionId);
    this.cache.set(sessionId, entry);
    if (this.cache.size > this.max) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
