import { createHash } from "node:crypto";
import type { ExtIdpInfoDto } from "@gatehouse/protocol";
import type { Kysely } from "kysely";
import { ApiError, bilingual } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { randomBase64url } from "../../lib/ids.js";
import type { ExtIdpConnRow, ExtIdpRow, ExtIdpStateRow } from "../../storage/repos/ext-idps.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { Database } from "../../storage/schema.js";
import { emitRegistered } from "../auth/events.js";
import type { AppScope } from "../auth/scope.js";
import type { Emit } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { findUserByEmail, insertUser, newUserRow, normalizeEmail } from "../users/identifiers.js";
import { type Accounts, IDENTITY_TYPE } from "./accounts.js";
import { callbackPath } from "./connections.js";
import { extIdpKind, type UpstreamAccount, type UpstreamSpec, upstreamSpec } from "./providers.js";
import type { Upstream } from "./upstream.js";
import { UpstreamRefusal } from "./upstream.js";

/** A round trip lives as long as an interaction: ten minutes to sign in upstream. */
export const ROUND_TRIP_TTL_MS = 10 * 60_000;

export interface RoundTripDeps {
  db: Kysely<Database>;
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
  upstream: Upstream;
  accounts: Accounts;
  emit: Emit;
  publicUrl: string;
  allowHttp: boolean;
}

/** What a callback came to. `refused`: a clear page, nothing created (docs/social-sign-in.md#refusals). */
export type CallbackOutcome =
  | { kind: "sign-in"; interactionUid: string; user: UserRow; conn: ExtIdpConnRow; created: boolean }
  | { kind: "link-required"; interactionUid: string; conn: ExtIdpConnRow; email: string }
  | { kind: "linked"; conn: ExtIdpConnRow; appId: string; targetUrl: string | null }
  | { kind: "refused"; textKey: string; interactionUid?: string; detail?: string };

/** What the callback asks of the hosted pages: the application's scope, and whether an interaction is still open. */
export interface CallbackEnv {
  scopeOf: (appId: string) => Promise<AppScope>;
  interactionOpen: (uid: string) => Promise<boolean>;
  /** The callback request, for the events a sign-up or a link writes. */
  origin: EventOrigin;
}

/** The identity an existing account's owner must sign in to take (stored on the round trip). */
interface Pending {
  userId: string;
  /** The upstream's email, shown on the sign-in page that asks its owner to sign in. */
  email: string;
  subject: string;
  claims: Record<string, unknown>;
}

const sha256 = (v: string) => createHash("sha256").update(v).digest("base64url");
/** Hash of the browser cookie a round trip is bound to. */
export const browserHash = (cookie: string) => sha256(`browser:${cookie}`);
export const newBrowserValue = () => randomBase64url(32);

/** The sign-in method a connection's logins are recorded under (history, browser session). */
export const methodOf = (conn: Pick<ExtIdpConnRow, "identifier">) => `ext-idp:${conn.identifier}` as const;

export function createRoundTrips(deps: RoundTripDeps) {
  const { repos, clock, box, upstream, accounts } = deps;
  const redirectUri = (conn: ExtIdpConnRow) => `${deps.publicUrl}${callbackPath(conn.id)}`;

  async function specOf(
    conn: ExtIdpConnRow,
  ): Promise<{ idp: ExtIdpRow; spec: UpstreamSpec; secret: string }> {
    const idp = await repos.extIdps.findExtIdp(conn.pool_id, conn.ext_idp_id);
    if (!idp) throw new ApiError("EXT_IDP_NOT_FOUND");
    const spec = upstreamSpec(idp.type, conn.type, JSON.parse(conn.fields), { allowHttp: deps.allowHttp });
    if (!conn.client_secret)
      throw new ApiError("EXT_IDP_FIELDS_INVALID", { params: { reason: "no clientSecret" } });
    return { idp, spec, secret: box.open("ext-idp-secret", conn.id, conn.client_secret) };
  }

  /** The connection, when the application's sign-in accepts it (docs/social-sign-in.md#which-connections-an-application-shows). */
  async function acceptedConn(poolId: string, appId: string, connId: string) {
    return (await repos.extIdps.listConnsOfApp(poolId, appId)).find((c) => c.id === connId);
  }
  async function enabledConn(poolId: string, appId: string, connId: string): Promise<ExtIdpConnRow> {
    const conn = await acceptedConn(poolId, appId, connId);
    if (!conn) throw new ApiError("EXT_IDP_CONN_DISABLED");
    return conn;
  }

  /** Stores a round trip and answers the upstream URL. */
  async function begin(
    conn: ExtIdpConnRow,
    row: Pick<
      ExtIdpStateRow,
      "purpose" | "app_id" | "interaction_uid" | "user_id" | "target_url" | "browser_hash"
    >,
  ): Promise<string> {
    const { spec, secret } = await specOf(conn);
    const checks = await upstream.newChecks();
    const url = await upstream.authorizationUrl(spec, secret, redirectUri(conn), checks).catch((err) => {
      if (err instanceof UpstreamRefusal)
        throw new ApiError("EXT_IDP_UNAVAILABLE", {
          texts: bilingual(`身份源出错：${err.detail}`, err.detail),
        });
      throw err;
    });
    const id = sha256(checks.state);
    const now = clock.now();
    await repos.extIdpStates.insertState({
      id,
      pool_id: conn.pool_id,
      conn_id: conn.id,
      ...row,
      nonce: checks.nonce,
      code_verifier: box.seal("ext-idp-verifier", id, checks.codeVerifier),
      pending: null,
      created_at: now,
      expires_at: now + ROUND_TRIP_TTL_MS,
      consumed_at: null,
    });
    await repos.extIdpStates.deleteExpiredStates(now - ROUND_TRIP_TTL_MS);
    return url;
  }

  /** A new user from the upstream profile; the email is verified only when the upstream says so. */
  async function createUser(
    origin: EventOrigin,
    s: AppScope,
    conn: ExtIdpConnRow,
    idp: ExtIdpRow,
    account: UpstreamAccount,
  ) {
    const p = account.profile;
    const now = clock.now();
    const verified = p.email !== undefined && p.emailVerified === true;
    const row = newUserRow(s.pool.id, now, {
      ...(p.email ? { email: normalizeEmail(p.email) } : {}),
      email_verified: verified ? 1 : 0,
      ...(verified ? { email_proved_at: now } : {}),
      name: p.name?.slice(0, 255) ?? null,
      nickname: p.nickname?.slice(0, 255) ?? null,
      given_name: p.givenName?.slice(0, 255) ?? null,
      family_name: p.familyName?.slice(0, 255) ?? null,
      photo: p.photo?.slice(0, 2048) ?? null,
      source_type: "register",
      source_id: s.app.id,
      register_source: JSON.stringify([`social:${conn.identifier}`]),
    });
    return deps.db.transaction().execute(async (trx) => {
      const tx = repositories(trx);
      await insertUser(tx, row);
      const user = await tx.users.findUserById(s.pool.id, row.id as string);
      if (!user) throw new ApiError("INTERNAL");
      await accounts.link(tx, origin, user, idp, account.subject, { conn, account });
      await emitRegistered(deps.emit, tx, origin, s.pool.id, user.id);
      return user;
    });
  }

  /** A login round trip's account: a returning identity, a new user, or "sign in first" for a known email. */
  async function signInOutcome(
    origin: EventOrigin,
    s: AppScope,
    row: ExtIdpStateRow,
    conn: ExtIdpConnRow,
    idp: ExtIdpRow,
    account: UpstreamAccount,
  ): Promise<CallbackOutcome> {
    const uid = row.interaction_uid as string;
    const identity = await repos.identities.findIdentityInIdp(
      s.pool.id,
      idp.id,
      account.subject,
      IDENTITY_TYPE,
    );
    if (identity) {
      const user = await repos.users.findUserById(s.pool.id, identity.user_id);
      if (!user) return { kind: "refused", textKey: "EXT_IDP_FAILED", interactionUid: uid };
      return { kind: "sign-in", interactionUid: uid, user, conn, created: false };
    }
    const email = account.profile.email;
    const owner = email ? await findUserByEmail(repos, s.pool.id, email) : undefined;
    if (owner && email) {
      // Never linked silently: the owner signs in to the account first (docs/social-sign-in.md#existing-email).
      const pending: Pending = { userId: owner.id, email, subject: account.subject, claims: account.claims };
      await repos.extIdpStates.setPending(row.id, JSON.stringify(pending));
      return { kind: "link-required", interactionUid: uid, conn, email };
    }
    if (s.settings.registerDisabled || conn.login_only === 1)
      return { kind: "refused", textKey: "REGISTER_DISABLED", interactionUid: uid };
    const user = await createUser(origin, s, conn, idp, account);
    return { kind: "sign-in", interactionUid: uid, user, conn, created: true };
  }

  return {
    /** The connections enabled for an application, as get-application-enabled-extidps lists them. */
    async enabledFor(poolId: string, appId: string): Promise<(ExtIdpInfoDto & { connId: string })[]> {
      const conns = await repos.extIdps.listConnsOfApp(poolId, appId);
      const out: (ExtIdpInfoDto & { connId: string })[] = [];
      for (const conn of conns) {
        const idp = await repos.extIdps.findExtIdp(conn.pool_id, conn.ext_idp_id);
        if (!idp) continue;
        out.push({
          connId: conn.id,
          identifier: conn.identifier,
          extIdpId: idp.id,
          type: idp.type,
          extIdpType: extIdpKind(idp.type),
          bindUrl: `${deps.publicUrl}/api/v3/generate-link-extidp-url?ext_idp_conn_identifier=${encodeURIComponent(conn.identifier)}&app_id=${encodeURIComponent(appId)}`,
          name: conn.display_name,
          name_en: conn.display_name,
          ...(conn.logo ? { logo: conn.logo } : {}),
        });
      }
      return out;
    },

    /** The sign-in page's button: a login round trip bound to the interaction and this browser. */
    async startLogin(input: {
      poolId: string;
      appId: string;
      connId: string;
      interactionUid: string;
      browser: string;
    }) {
      const conn = await enabledConn(input.poolId, input.appId, input.connId);
      return begin(conn, {
        purpose: "login",
        app_id: input.appId,
        interaction_uid: input.interactionUid,
        user_id: null,
        target_url: null,
        browser_hash: browserHash(input.browser),
      });
    },

    /** A link round trip for a signed-in user, bound to a browser when it opens (startLink). Returns its ticket. */
    async prepareLink(input: {
      appId: string;
      conn: ExtIdpConnRow;
      userId: string;
      targetUrl: string | null;
    }) {
      await enabledConn(input.conn.pool_id, input.appId, input.conn.id);
      const url = await begin(input.conn, {
        purpose: "link",
        app_id: input.appId,
        interaction_uid: null,
        user_id: input.userId,
        target_url: input.targetUrl,
        browser_hash: null,
      });
      return { upstreamUrl: url, state: new URL(url).searchParams.get("state") as string };
    },

    /** The browser opens a prepared link: bound to it, once; answers the upstream URL. */
    async startLink(connId: string, state: string, browser: string): Promise<string | undefined> {
      const row = await repos.extIdpStates.findState(sha256(state));
      if (!row || row.conn_id !== connId || row.purpose !== "link") return undefined;
      if (!(await repos.extIdpStates.bindStateToBrowser(row.id, browserHash(browser), clock.now())))
        return undefined;
      const conn = await repos.extIdps.findConn(row.pool_id, row.conn_id);
      if (!conn) return undefined;
      const { spec, secret } = await specOf(conn);
      return upstream
        .authorizationUrl(spec, secret, redirectUri(conn), {
          state,
          nonce: row.nonce,
          codeVerifier: box.open("ext-idp-verifier", row.id, row.code_verifier),
        })
        .catch((err) => {
          if (err instanceof UpstreamRefusal)
            throw new ApiError("EXT_IDP_UNAVAILABLE", {
              texts: bilingual(`身份源出错：${err.detail}`, err.detail),
            });
          throw err;
        });
    },

    /**
     * The upstream's answer at the callback. Single use, bound to the browser that started it; the
     * upstream's checks run in openid-client. Nothing is created when anything fails.
     */
    async callback(
      connId: string,
      query: URLSearchParams,
      browser: string | undefined,
      env: CallbackEnv,
    ): Promise<CallbackOutcome> {
      const state = query.get("state");
      if (!state || state.length > 512 || !browser) return { kind: "refused", textKey: "EXT_IDP_STATE" };
      const row = await repos.extIdpStates.findState(sha256(state));
      const now = clock.now();
      if (
        !row ||
        row.conn_id !== connId ||
        row.consumed_at !== null ||
        Number(row.expires_at) <= now ||
        row.browser_hash !== browserHash(browser)
      )
        return { kind: "refused", textKey: "EXT_IDP_STATE" };
      const uid = row.interaction_uid ?? undefined;
      // Before anything is spent or written: the sign-in it would finish must still be open, and
      // the application must still accept the connection (docs/social-sign-in.md#refusals).
      if (uid && !(await env.interactionOpen(uid)))
        return { kind: "refused", textKey: "INTERACTION_NOT_FOUND" };
      if (!(await acceptedConn(row.pool_id, row.app_id, row.conn_id)))
        return { kind: "refused", textKey: "EXT_IDP_CONN_DISABLED", ...(uid ? { interactionUid: uid } : {}) };
      if (!(await repos.extIdpStates.consumeState(row.id, now)))
        return { kind: "refused", textKey: "EXT_IDP_STATE", ...(uid ? { interactionUid: uid } : {}) };
      const conn = await repos.extIdps.findConn(row.pool_id, row.conn_id);
      if (!conn) return { kind: "refused", textKey: "EXT_IDP_STATE" };
      const { idp, spec, secret } = await specOf(conn);
      let account: UpstreamAccount;
      try {
        account = await upstream.finish(spec, secret, redirectUri(conn), query, {
          state,
          nonce: row.nonce,
          codeVerifier: box.open("ext-idp-verifier", row.id, row.code_verifier),
        });
      } catch (err) {
        if (!(err instanceof UpstreamRefusal)) throw err;
        return {
          kind: "refused",
          textKey:
            err.reason === "denied"
              ? "EXT_IDP_DENIED"
              : err.reason === "unavailable"
                ? "EXT_IDP_UNAVAILABLE"
                : "EXT_IDP_FAILED",
          detail: err.detail,
          ...(uid ? { interactionUid: uid } : {}),
        };
      }
      const s = await env.scopeOf(row.app_id);
      if (row.purpose === "login") {
        // The upstream may have taken a while: the interaction is checked again before any write.
        if (!(await env.interactionOpen(uid as string)))
          return { kind: "refused", textKey: "INTERACTION_NOT_FOUND" };
        return signInOutcome(env.origin, s, row, conn, idp, account);
      }
      const user = row.user_id ? await repos.users.findUserById(row.pool_id, row.user_id) : undefined;
      if (!user) return { kind: "refused", textKey: "EXT_IDP_FAILED" };
      try {
        await accounts.link(repos, env.origin, user, idp, account.subject, { conn, account });
      } catch (err) {
        if (err instanceof ApiError && err.key === "IDENTITY_TAKEN")
          return { kind: "refused", textKey: "IDENTITY_TAKEN" };
        // Deleted since the read above: as when it was already gone.
        if (err instanceof ApiError && err.key === "USER_NOT_FOUND")
          return { kind: "refused", textKey: "EXT_IDP_FAILED" };
        throw err;
      }
      return { kind: "linked", conn, appId: row.app_id, targetUrl: row.target_url };
    },

    /** The identity waiting on this interaction in this browser, for the sign-in page's notice. */
    async pendingLink(interactionUid: string, browser: string | undefined) {
      if (!browser) return undefined;
      const row = await repos.extIdpStates.findPending(interactionUid, browserHash(browser), clock.now());
      if (!row) return undefined;
      const conn = await repos.extIdps.findConn(row.pool_id, row.conn_id);
      return conn ? { conn, row } : undefined;
    },

    /**
     * The owner of the email signed in on the interaction: the waiting identity is linked to them
     * (single use). Someone else signing in links nothing. Returns the connection linked.
     */
    async completePendingLink(
      interactionUid: string,
      browser: string | undefined,
      userId: string,
      origin: EventOrigin,
    ): Promise<ExtIdpConnRow | undefined> {
      if (!browser) return undefined;
      const row = await repos.extIdpStates.findPending(interactionUid, browserHash(browser), clock.now());
      if (!row?.pending) return undefined;
      const pending = JSON.parse(row.pending) as Pending;
      if (pending.userId !== userId) return undefined;
      const [user, conn] = await Promise.all([
        repos.users.findUserById(row.pool_id, userId),
        repos.extIdps.findConn(row.pool_id, row.conn_id),
      ]);
      const idp = conn && (await repos.extIdps.findExtIdp(row.pool_id, conn.ext_idp_id));
      if (!user || !conn || !idp) return undefined;
      if (!(await repos.extIdpStates.clearPending(row.id))) return undefined;
      // A user deleted since the read above makes the link USER_NOT_FOUND (accounts.ts), which the
      // sign-in's page answers as for a user gone (docs/behaviour-and-errors.md §1.10).
      await accounts.link(repos, origin, user, idp, pending.subject, {
        conn,
        account: { subject: pending.subject, profile: {}, claims: pending.claims },
      });
      return conn;
    },
  };
}
export type RoundTrips = ReturnType<typeof createRoundTrips>;
