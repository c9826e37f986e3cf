import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "../../errors.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { SecretBox } from "../secrets/secret-box.js";
import {
  type ClientAuthEndpoint,
  endpointAuthMethod,
  type TokenEndpointAuthMethod,
  tokenEndpointAuthMethod,
} from "../tokens/app-config.js";

/** Client credentials as the request presented them (body preferred over Basic, docs/wire-contract.md §1.2). */
export interface PresentedClient {
  clientId?: string;
  clientSecret?: string;
  /** How they were presented: secret in the body, in a Basic header, or no secret at all. */
  mechanism?: TokenEndpointAuthMethod;
}

export interface AuthenticatedClient {
  app: ApplicationRow;
  /** Proved possession of the client secret. */
  confidential: boolean;
}

/** Constant-time comparison of two secrets (client secrets, access key secrets). */
export function sameSecret(a: string, b: string): boolean {
  // Hash first so the comparison is constant-time whatever the lengths.
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Client authentication by the application's token endpoint auth method (docs/wire-contract.md §1.3):
 * `client_secret_post` / `client_secret_basic` need the secret (from the body or a Basic
 * header: the official SDK mixes both), `none` needs only the client id. A secret that is
 * presented is always checked.
 */
async function authenticateClient(
  repos: Repositories,
  box: SecretBox,
  presented: PresentedClient,
  options: { appId?: string; requireMatch?: boolean } = {},
): Promise<AuthenticatedClient> {
  const fail = () => new ApiError("CLIENT_AUTH_FAILED");
  if (options.requireMatch && presented.clientId && options.appId && presented.clientId !== options.appId) {
    throw fail();
  }
  const appId = presented.clientId ?? options.appId;
  if (!appId || appId.length > 64) throw fail();
  const app = await repos.applications.findApplicationById(appId);
  if (!app) throw fail();
  const secret = presented.clientSecret;
  if (secret !== undefined) {
    if (!sameSecret(secret, box.open("app-secret", app.id, app.secret))) throw fail();
    return { app, confidential: true };
  }
  if (tokenEndpointAuthMethod(app) !== "none") throw fail();
  return { app, confidential: false };
}

/**
 * Client authentication at introspection and revocation (docs/wire-contract.md §1.3): the request
 * must use exactly the method the application registered for that endpoint, as node-oidc-provider
 * does: a secret sent another way, or no secret where one is registered, is refused, and so is a
 * secret sent to a `none` endpoint.
 */
async function authenticateEndpointClient(
  repos: Repositories,
  box: SecretBox,
  presented: PresentedClient,
  options: { endpoint: ClientAuthEndpoint; appId?: string },
): Promise<AuthenticatedClient> {
  const fail = () => new ApiError("CLIENT_AUTH_FAILED");
  const appId = presented.clientId ?? (presented.mechanism === "none" ? options.appId : undefined);
  if (!appId || appId.length > 64) throw fail();
  const app = await repos.applications.findApplicationById(appId);
  if (!app) throw fail();
  const registered = endpointAuthMethod(app, options.endpoint);
  if (presented.mechanism !== registered) throw fail();
  if (registered === "none") return { app, confidential: false };
  if (
    presented.clientSecret === undefined ||
    !sameSecret(presented.clientSecret, box.open("app-secret", app.id, app.secret))
  )
    throw fail();
  return { app, confidential: true };
}

export function createClientAuth({ repos, box }: { repos: Repositories; box: SecretBox }) {
  return {
    authenticateClient: (presented: PresentedClient, options?: { appId?: string; requireMatch?: boolean }) =>
      authenticateClient(repos, box, presented, options),
    authenticateEndpointClient: (
      presented: PresentedClient,
      options: { endpoint: ClientAuthEndpoint; appId?: string },
    ) => authenticateEndpointClient(repos, box, presented, options),
  };
}
