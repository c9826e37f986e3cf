import type { IntrospectionResponse } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { ResolvedAccessKey } from "../admin/access-keys.js";
import type { PresentedClient } from "../auth/client-auth.js";
import type { ClientAuthEndpoint } from "../tokens/app-config.js";
import { authenticateAccessKey } from "./grants/client-credentials.js";
import type { GrantDeps } from "./grants/index.js";

type Caller = { app: ApplicationRow; key?: undefined } | { app?: undefined; key: ResolvedAccessKey };

export interface TokenAction {
  client: PresentedClient;
  appIdHeader?: string;
  token: string;
}

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) for both kinds of client: an application,
 * authenticated exactly as it registered for that endpoint (docs/wire-contract.md §1.3), or an
 * access key with its secret, for the tokens it got by client credentials (docs/oidc-tokens.md).
 * Each learns about, and revokes, only its own tokens.
 */
export function createTokenActions({
  auth,
  accessKeys,
  tokens,
  clientTokens,
}: Pick<GrantDeps, "auth" | "accessKeys" | "tokens" | "clientTokens">) {
  async function caller(action: TokenAction, endpoint: ClientAuthEndpoint): Promise<Caller> {
    try {
      const { app } = await auth.authenticateEndpointClient(action.client, {
        endpoint,
        appId: action.appIdHeader,
      });
      return { app };
    } catch (err) {
      // No application with that id and secret: it may be an access key (their ids never collide).
      if (!(err instanceof ApiError) || err.key !== "CLIENT_AUTH_FAILED") throw err;
      return { key: await authenticateAccessKey(accessKeys, action.client) };
    }
  }

  return {
    async introspect(action: TokenAction): Promise<IntrospectionResponse> {
      const who = await caller(action, "introspection");
      return who.app
        ? tokens.introspect(who.app, action.token)
        : clientTokens.introspect(who.key.accessKeyId, action.token);
    },
    async revoke(action: TokenAction): Promise<void> {
      const who = await caller(action, "revocation");
      if (who.app) await tokens.revoke(who.app, action.token);
      else await clientTokens.revoke(who.key.accessKeyId, action.token);
    },
  };
}
