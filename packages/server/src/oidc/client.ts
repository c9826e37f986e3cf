import type { FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { presentedClient } from "../http/client-credentials.js";
import type { AuthenticatedClient } from "../services/auth/client-auth.js";
import type { ClientAuthEndpoint } from "../services/tokens/app-config.js";

/**
 * Client authentication at introspection and revocation: exactly the method the application
 * registered for that endpoint (docs/wire-contract.md §1.3).
 */
export function oidcEndpointClient(
  ctx: Context,
  request: FastifyRequest,
  body: { client_id?: string; client_secret?: string },
  endpoint: ClientAuthEndpoint,
): Promise<AuthenticatedClient> {
  const header = request.headers["x-authing-app-id"];
  return ctx.auth.authenticateEndpointClient(presentedClient(request, body), {
    endpoint,
    appId: typeof header === "string" ? header : undefined,
  });
}
