import fastifyCookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { OAUTH_PATH, OIDC_ISSUER_PATH, userInformationExamples } from "@gatehouse/protocol";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { deviceRoutes } from "./api-v3/devices.js";
import { eventRoutes } from "./api-v3/events.js";
import { extIdpRoutes } from "./api-v3/ext-idps.js";
import { loginHistoryRoutes } from "./api-v3/login-history.js";
import { managementRoutes } from "./api-v3/management/index.js";
import { messageRoutes } from "./api-v3/messages.js";
import { mfaRoutes } from "./api-v3/mfa.js";
import { mfaStepRoutes } from "./api-v3/mfa-step.js";
import { mfaTokenRoutes } from "./api-v3/mfa-token.js";
import { permissionRoutes } from "./api-v3/permissions.js";
import { profileRoutes } from "./api-v3/profile.js";
import { profileFlowRoutes } from "./api-v3/profile-flows.js";
import { publicRoutes } from "./api-v3/public.js";
import { signupSigninRoutes } from "./api-v3/signup-signin.js";
import { webauthnRoutes } from "./api-v3/webauthn.js";
import { webauthnAdminRoutes } from "./api-v3/webauthn-admin.js";
import type { Context } from "./context.js";
import { hostedRoutes } from "./hosted/index.js";
import { appPoolLanguage } from "./http/app-scope.js";
import { corsPlugin } from "./http/cors.js";
import { defaultAvatarRoute } from "./http/default-avatar.js";
import envelope from "./http/envelope.js";
import { frameworkErrorHandler } from "./http/framework-errors.js";
import { healthRoutes } from "./http/health.js";
import inputGuard from "./http/input-guard.js";
import { registerJsonParser } from "./http/json-body.js";
import metrics from "./http/metrics.js";
import { deriveSecurity, securitySchemes, withExamples } from "./http/openapi-security.js";
import { genReqId, logSerializers } from "./http/request-log.js";
import { recordRoutes } from "./http/route-inventory.js";
import securityHeaders from "./http/security-headers.js";
import shutdown from "./http/shutdown.js";
import { deletedUserRefusal } from "./http/user-auth.js";
import { formatValidationErrors, serializerCompiler, validatorCompiler } from "./http/validation.js";
import { oidcRoutes } from "./oidc/index.js";
import { SERVER_VERSION } from "./version.js";

/** The Fastify instance. Never listens: main.ts does, tests inject. */
export async function buildApp(ctx: Context): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({}, { serializers: logSerializers }) as FastifyBaseLogger,
    genReqId,
    bodyLimit: ctx.config.bodyLimit,
    trustProxy: ctx.config.trustProxy,
    schemaErrorFormatter: formatValidationErrors,
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    // One line per request (below) instead of Fastify's two: at level info the request log is
    // the largest per-request cost of a small route.
    logController: new LogController({ disableRequestLogging: true }),
  });
  recordRoutes(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerJsonParser(app);
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, "request completed");
    done();
  });

  await app.register(envelope, { poolLanguage: appPoolLanguage(ctx), explain: deletedUserRefusal(ctx) });
  await app.register(shutdown);
  await app.register(inputGuard);
  await app.register(securityHeaders);
  await app.register(corsPlugin(ctx));
  await app.register(swagger, {
    openapi: {
      info: {
        title: "Gatehouse",
        version: SERVER_VERSION,
        description: "Self-hosted identity server speaking the GenAuth (Authing) V3 API",
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: { securitySchemes: { ...securitySchemes } },
    },
    transformObject: (documents) =>
      "openapiObject" in documents
        ? withExamples(documents.openapiObject, userInformationExamples)
        : documents.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
  await app.register(metrics, {
    courier: ctx.courier,
    db: ctx.db,
    webhooks: ctx.events.worker,
    exposure: ctx.config.metrics,
  });

  deriveSecurity(app);
  await app.register(healthRoutes(ctx));
  await app.register(defaultAvatarRoute());
  await app.register(publicRoutes(ctx));
  await app.register(managementRoutes(ctx));
  await app.register(signupSigninRoutes(ctx));
  await app.register(loginHistoryRoutes(ctx));
  await app.register(permissionRoutes(ctx));
  await app.register(fastifyCookie);
  await app.register(oidcRoutes(ctx, "oidc"), { prefix: OIDC_ISSUER_PATH });
  await app.register(oidcRoutes(ctx, "oauth"), { prefix: OAUTH_PATH });
  await app.register(hostedRoutes(ctx));
  await app.register(messageRoutes(ctx));
  await app.register(profileRoutes(ctx));
  await app.register(profileFlowRoutes(ctx));
  await app.register(mfaRoutes(ctx));
  await app.register(mfaTokenRoutes(ctx));
  await app.register(mfaStepRoutes(ctx));
  await app.register(webauthnRoutes(ctx));
  await app.register(webauthnAdminRoutes(ctx));
  await app.register(deviceRoutes(ctx));
  await app.register(eventRoutes(ctx));
  await app.register(extIdpRoutes(ctx));

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
