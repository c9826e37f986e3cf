import type {
  GenerateLinkExtIdpUrlQuery,
  IdentityDto,
  LinkIdentityRequest,
  UnlinkIdentityRequest,
} from "@gatehouse/protocol";
import type { Kysely } from "kysely";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { Database } from "../../storage/schema.js";
import { toApplicationDto } from "../admin/apps.js";
import type { Emit } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { decodeJwt } from "../tokens/jwt.js";
import type { Tokens } from "../tokens/tokens.js";
import { createAccounts, IDENTITY_TYPE } from "./accounts.js";
import { createConnections } from "./connections.js";
import { isSupported } from "./providers.js";
import { createRoundTrips } from "./round-trip.js";
import { createUpstream } from "./upstream.js";

/** A provider the user is linked to, as the account page lists it. */
export interface LinkedAccount {
  extIdpId: string;
  name: string;
  provider: string;
  /** How the upstream knows the person: its email, username or name when it gave one, else its id. */
  accounts: string[];
}

/** A connection the user could link, as the account page offers it. */
export interface LinkableConn {
  connId: string;
  name: string;
}

/** The words the upstream account is shown by on the account page. */
function labelOf(userInfo: string | null, subject: string): string {
  try {
    const claims = JSON.parse(userInfo ?? "{}") as Record<string, unknown>;
    for (const k of ["email", "preferred_username", "login", "name"])
      if (typeof claims[k] === "string" && claims[k] !== "") return (claims[k] as string).slice(0, 255);
  } catch {}
  return subject;
}

export interface IdentitiesDeps {
  db: Kysely<Database>;
  repos: Repositories;
  clock: Clock;
  box: SecretBox;
  emit: Emit;
  tokens: Pick<Tokens, "idTokenSession">;
  publicUrl: string;
  /** Plain-http upstreams (GATEHOUSE_IDP_ALLOW_HTTP; development and tests). */
  allowHttp: boolean;
}

/** Where the browser opens a prepared link round trip (it is bound to that browser there). */
export const linkStartPath = (connId: string) => `/ext-idp/${encodeURIComponent(connId)}/link`;

/**
 * Sign-in through external identity providers and account binding (docs/social-sign-in.md):
 * connections (management), the upstream round trip (hosted pages), identities (users and
 * management). Wired once as `ctx.identities`.
 */
export function createIdentities(deps: IdentitiesDeps) {
  const { repos, clock } = deps;
  const upstream = createUpstream({ clock, allowHttp: deps.allowHttp });
  const accounts = createAccounts({ repos, clock, emit: deps.emit });
  const connections = createConnections(deps);
  const roundTrips = createRoundTrips({ ...deps, upstream, accounts });

  async function userOf(poolId: string, userId: string): Promise<UserRow> {
    const user = await repos.users.findUserById(poolId, userId);
    if (!user) throw new ApiError("USER_NOT_FOUND");
    return user;
  }

  /** The user an ID token of `appId` names, signature, issuer and expiry checked, its session live. */
  async function userOfIdToken(idToken: string, appId: string): Promise<UserRow> {
    const named = await deps.tokens.idTokenSession(idToken);
    const exp = decodeJwt(idToken)?.payload.exp;
    if (!named || named.aud !== appId || typeof exp !== "number" || exp * 1000 <= clock.now())
      throw new ApiError("TOKEN_INVALID");
    const session = await repos.sessions.findSessionById(named.sid);
    if (session && session.ended_at !== null) throw new ApiError("TOKEN_INVALID");
    const app = await repos.applications.findApplicationById(appId);
    if (!app) throw new ApiError("APP_NOT_FOUND");
    const user = await repos.users.findUserById(app.pool_id, named.sub);
    if (!user) throw new ApiError("TOKEN_INVALID");
    return user;
  }

  return {
    connections,
    roundTrips,

    /**
     * generate-link-extidp-url: a URL the user's browser opens to link the connection's upstream
     * account to the user the ID token names. `target_url` must be on one of the application's
     * redirect URIs' origins (no open redirect).
     */
    async generateLinkUrl(q: GenerateLinkExtIdpUrlQuery): Promise<{ url: string }> {
      const user = await userOfIdToken(q.id_token, q.app_id);
      const conn = await repos.extIdps.findConnByIdentifier(user.pool_id, q.ext_idp_conn_identifier);
      if (!conn) throw new ApiError("EXT_IDP_CONN_NOT_FOUND");
      let targetUrl: string | null = null;
      if (q.target_url) {
        const app = await repos.applications.findApplicationById(q.app_id);
        const origins = new Set(
          (app ? toApplicationDto(app).redirectUris : []).flatMap((u) => {
            try {
              return [new URL(u).origin];
            } catch {
              return [];
            }
          }),
        );
        let origin: string | undefined;
        try {
          origin = new URL(q.target_url).origin;
        } catch {}
        if (!origin || !origins.has(origin))
          throw new ApiError("PARAM_MALFORMED", { params: { field: "target_url" } });
        targetUrl = q.target_url;
      }
      const { state } = await roundTrips.prepareLink({ appId: q.app_id, conn, userId: user.id, targetUrl });
      return { url: `${deps.publicUrl}${linkStartPath(conn.id)}?token=${encodeURIComponent(state)}` };
    },

    /** The account page's linked accounts: the user's identities, by provider. */
    async linkedAccounts(user: UserRow): Promise<LinkedAccount[]> {
      const rows = await repos.identities.listIdentitiesByUser(user.id);
      const out = new Map<string, LinkedAccount>();
      for (const row of rows) {
        let entry = out.get(row.ext_idp_id);
        if (!entry) {
          const idp = await repos.extIdps.findExtIdp(user.pool_id, row.ext_idp_id);
          entry = {
            extIdpId: row.ext_idp_id,
            name: idp?.name ?? row.provider,
            provider: row.provider,
            accounts: [],
          };
          out.set(row.ext_idp_id, entry);
        }
        entry.accounts.push(labelOf(row.user_info, row.user_id_in_idp));
      }
      return [...out.values()];
    },

    /**
     * The connections the account page offers to link: accepted by the application, of a type that
     * signs in, at a provider the user has no identity at yet.
     */
    async linkableConns(user: UserRow, appId: string): Promise<LinkableConn[]> {
      const [conns, linked] = await Promise.all([
        repos.extIdps.listConnsOfApp(user.pool_id, appId),
        repos.identities.listIdentitiesByUser(user.id),
      ]);
      const have = new Set(linked.map((i) => i.ext_idp_id));
      const out: LinkableConn[] = [];
      for (const conn of conns) {
        if (have.has(conn.ext_idp_id)) continue;
        const idp = await repos.extIdps.findExtIdp(user.pool_id, conn.ext_idp_id);
        if (idp && isSupported(idp.type, conn.type)) out.push({ connId: conn.id, name: conn.display_name });
      }
      return out;
    },

    /**
     * The account page's "link": a link round trip for the signed-in user, as generate-link-extidp-url
     * prepares one. The browser is sent to the answer (the round trip is bound to it there), and
     * comes back to `returnTo` once linked.
     */
    async linkFromAccount(user: UserRow, appId: string, connId: string, returnTo: string): Promise<string> {
      const conn = connId ? await repos.extIdps.findConn(user.pool_id, connId) : undefined;
      if (!conn) throw new ApiError("EXT_IDP_CONN_NOT_FOUND");
      const { state } = await roundTrips.prepareLink({ appId, conn, userId: user.id, targetUrl: returnTo });
      return `${linkStartPath(conn.id)}?token=${encodeURIComponent(state)}`;
    },

    /** unlink-extidp: the signed-in user's identities at that provider; never the last way in. */
    async unlinkMine(origin: EventOrigin, poolId: string, userId: string, extIdpId: string): Promise<void> {
      await accounts.unlink(origin, await userOf(poolId, userId), extIdpId);
    },

    async identitiesOf(userId: string): Promise<IdentityDto[]> {
      return accounts.listOf(userId);
    },

    /** Management link-identity: the administrator vouches for the upstream account. */
    async linkIdentity(
      origin: EventOrigin,
      poolId: string,
      input: LinkIdentityRequest,
    ): Promise<{ success: boolean }> {
      const user = await userOf(poolId, input.userId);
      const idp = await repos.extIdps.findExtIdp(poolId, input.extIdpId);
      if (!idp) throw new ApiError("EXT_IDP_NOT_FOUND");
      await accounts.link(repos, origin, user, idp, input.userIdInIdp, { type: input.type ?? IDENTITY_TYPE });
      return { success: true };
    },

    async unlinkIdentity(
      origin: EventOrigin,
      poolId: string,
      input: UnlinkIdentityRequest,
    ): Promise<{ success: boolean }> {
      const user = await userOf(poolId, input.userId);
      await accounts.unlink(origin, user, input.extIdpId, input.type);
      return { success: true };
    },
  };
}
export type Identities = ReturnType<typeof createIdentities>;
