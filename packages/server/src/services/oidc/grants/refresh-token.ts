import { OAuthError } from "../../../errors.js";
import type { GrantDeps } from "./index.js";
import type { Grant } from "./types.js";

/** `grant_type=refresh_token` (RFC 6749 §6): the application's client authentication, then rotation. */
export function refreshTokenGrant({ auth, tokens }: Pick<GrantDeps, "auth" | "tokens">): Grant {
  return {
    async exchange({ body, client, appIdHeader, meta }) {
      const { app } = await auth.authenticateClient(client, { appId: appIdHeader });
      if (!body.refresh_token) throw new OAuthError("invalid_request", "refresh_token is required");
      return tokens.refresh(app, body.refresh_token, meta.origin, body.scope);
    },
  };
}
