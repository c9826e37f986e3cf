import type { TokenRequest } from "@gatehouse/protocol";
import type { PresentedClient } from "../../auth/client-auth.js";
import type { RequestMeta } from "../../auth/scope.js";
import type { TokenSet } from "../../tokens/tokens.js";

/** Which mount a token request came through: `/oauth/*` answers the same, without ID tokens. */
export type Protocol = "oidc" | "oauth";

/** One request at the token endpoint, as the route read it (services never see Fastify). */
export interface TokenExchange {
  body: TokenRequest;
  /** The client credentials from the body or a Basic header. */
  client: PresentedClient;
  /** The `x-authing-app-id` header: the official SDK's way of naming the client without a body field. */
  appIdHeader?: string;
  protocol: Protocol;
  /** Who is asking (for the login history of grants that sign a user in). */
  meta: RequestMeta;
}

/** One grant type: authenticates its own client (an application, or an access key) and answers tokens. */
export interface Grant {
  exchange(request: TokenExchange): Promise<TokenSet>;
}
