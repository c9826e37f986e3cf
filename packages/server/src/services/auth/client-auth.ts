import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "../../errors.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import { tokenEndpointAuthMethod } from "../tokens/app-config.js";

/** Client credentials as the request presented them (body preferred over Basic, docs/wire-contract.md §1.2). */
export interface PresentedClient {
  clientId?: string;
  clientSecret?: string;
}

export interface AuthenticatedClient {
  app: ApplicationRow;
  /** Proved possession of the client secret. */
  confidential: boolean;
}

function sameSecret(a: string, b: string): boolean {
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
    if (!sameSecret(secret, app.secret)) throw fail();
    return { app, confidential: true };
  }
  if (tokenEndpointAuthMethod(app) !== "none") throw fail();
  return { app, confidential: false };
}

export function createClientAuth({ repos }: { repos: Repositories }) {
  return {
    authenticateClient: (presented: PresentedClient, options?: { appId?: string; requireMatch?: boolean }) =>
      authenticateClient(repos, presented, options),
  };
}
