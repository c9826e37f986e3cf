import {
  AppIdQuery,
  AuthorizeAppAccessRequest,
  PermissionStrategyResponse,
  managementPaths as p,
  RevokeAppAccessRequest,
  SuccessResponse,
  UpdatePermissionStrategyRequest,
  UserAppListResponse,
  UserAppsQuery,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { done, poolRoutes } from "./pool-routes.js";

/** Management API: application access control (docs/authorization.md §Application access). */
export function managementAppAccessRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const { appAccess } = ctx.authz;
    const r = poolRoutes(app, ["management: application access"]);
    r.get(
      p.getApplicationPermissionStrategy,
      "An application's default access strategy",
      AppIdQuery,
      PermissionStrategyResponse,
      (pool, q) => appAccess.getStrategy(pool, q.appId),
    );
    r.post(
      p.updateApplicationPermissionStrategy,
      "Set an application's default access strategy (ALLOW_ALL or DENY_ALL)",
      UpdatePermissionStrategyRequest,
      SuccessResponse,
      done(appAccess.updateStrategy),
    );
    r.post(
      p.authorizeApplicationAccess,
      "Allow or deny users, roles and groups the application",
      AuthorizeAppAccessRequest,
      SuccessResponse,
      done(appAccess.authorize),
    );
    r.post(
      p.revokeApplicationAccess,
      "Remove access rules of users, roles and groups",
      RevokeAppAccessRequest,
      SuccessResponse,
      done(appAccess.revoke),
    );
    r.get(
      p.getUserAccessibleApps,
      "Applications a user may use",
      UserAppsQuery,
      UserAppListResponse,
      (pool, q) => appAccess.accessibleApps(pool, q.userId, q.userIdType),
    );
    r.get(
      p.getUserAuthorizedApps,
      "Applications a rule explicitly allows a user",
      UserAppsQuery,
      UserAppListResponse,
      (pool, q) => appAccess.authorizedApps(pool, q.userId, q.userIdType),
    );
  };
}
