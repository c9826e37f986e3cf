import { OIDC_ISSUER_PATH } from "@gatehouse/protocol";
import type { FastifyRequest, RouteOptions } from "fastify";
import type { Protocol } from "../services/oidc/grants/index.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Set on every route of the oidc plugin by its mount (see `mountRoute`). */
    protocol?: Protocol;
  }
}

/**
 * The onRoute hook of a mount: tags each route with its protocol (read by `protocolOf`), and
 * refuses at start a route written with its full `/oidc/…` path — inside a mount a route is
 * registered relative to it (`underIssuer(oidcPaths.x)`), or it would land at `/oidc/oidc/…`
 * and never under `/oauth`.
 */
export function mountRoute(protocol: Protocol) {
  return (route: RouteOptions & { routePath?: string }): void => {
    if (route.routePath?.startsWith(`${OIDC_ISSUER_PATH}/`)) {
      throw new Error(`route ${route.url}: register it as underIssuer(oidcPaths.…) inside the oidc plugin`);
    }
    route.config = { ...route.config, protocol };
  };
}

/** The protocol of the mount a request came through: `/oauth/*` answers without ID tokens. */
export function protocolOf(request: FastifyRequest): Protocol {
  return request.routeOptions.config.protocol ?? "oidc";
}
