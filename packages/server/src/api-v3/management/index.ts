import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { registerJsonParser } from "../../http/json-body.js";
import { requireManagement } from "../../http/management-auth.js";
import { scopeSecurity, security } from "../../http/openapi-security.js";
import { managementAccessKeyRoutes } from "./access-keys.js";
import { managementAppAccessRoutes } from "./app-access.js";
import { managementApplicationRoutes } from "./applications.js";
import { managementExtIdpRoutes } from "./ext-idps.js";
import { managementMfaRoutes } from "./mfa.js";
import { managementPermissionBatchRoutes } from "./permission-batches.js";
import { managementPermissionDataRoutes } from "./permission-data.js";
import { managementPermissionModelRoutes } from "./permission-model.js";
import { managementPermissionResourceRoutes } from "./permission-resources.js";
import { managementSettingsRoutes } from "./settings.js";
import { managementTokenRoutes } from "./token.js";
import { managementUserActivityRoutes } from "./user-activity.js";
import { managementUserRoutes } from "./users.js";
import { managementWebhookRoutes } from "./webhooks.js";

/**
 * The management API. Every route but get-management-token sits behind
 * `requireManagement` (signed request or management token), scoped to the caller's pool.
 */
export function managementRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    await app.register(managementTokenRoutes(ctx));
    await app.register(async (scope) => {
      // The SDK sends `content-type: application/json` even on body-less POSTs (it signs just the path).
      registerJsonParser(scope, { allowEmpty: true });
      scope.addHook("preValidation", requireManagement(ctx));
      scopeSecurity(scope, security.management);
      await scope.register(managementUserRoutes(ctx));
      await scope.register(managementUserActivityRoutes(ctx));
      await scope.register(managementApplicationRoutes(ctx));
      await scope.register(managementSettingsRoutes(ctx));
      await scope.register(managementAccessKeyRoutes(ctx));
      await scope.register(managementPermissionModelRoutes(ctx));
      await scope.register(managementPermissionResourceRoutes(ctx));
      await scope.register(managementPermissionDataRoutes(ctx));
      await scope.register(managementPermissionBatchRoutes(ctx));
      await scope.register(managementAppAccessRoutes(ctx));
      await scope.register(managementMfaRoutes(ctx));
      await scope.register(managementWebhookRoutes(ctx));
      await scope.register(managementExtIdpRoutes(ctx));
    });
  };
}
