import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { authPaths, SignInRequest, SignInResponse, SignUpRequest, SignUpResponse } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { presentedClient } from "../http/client-credentials.js";
import { ok } from "../http/envelope.js";
import { requireTenant, tenantOf } from "../http/tenant.js";
import { authenticateClient } from "../services/auth/client-auth.js";
import { signIn } from "../services/auth/sign-in.js";
import { signUp } from "../services/auth/sign-up.js";

function userAgent(request: FastifyRequest): string | null {
  const ua = request.headers["user-agent"];
  return typeof ua === "string" ? ua.slice(0, 512) : null;
}

/** Registration and login ("注册" / "登录"), wire contract §3a. */
export function signupSigninRoutes(ctx: Context) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      authPaths.signup,
      {
        schema: {
          tags: ["auth"],
          summary: "Register by password (username/email) or by a CHANNEL_REGISTER code (phone/email)",
          body: SignUpRequest,
          response: { 200: SignUpResponse },
        },
        preHandler: requireTenant(ctx),
      },
      async (request) => ok(request, await signUp(ctx, tenantOf(request), request.body)),
    );

    app.post(
      authPaths.signin,
      {
        schema: {
          tags: ["auth"],
          summary: "Sign in by password or code; returns tokens (note `expire_in`)",
          body: SignInRequest,
          response: { 200: SignInResponse },
        },
        preHandler: requireTenant(ctx),
      },
      async (request) => {
        const tenant = tenantOf(request);
        const body = request.body;
        const client = await authenticateClient(ctx.repos, presentedClient(request, body), {
          appId: tenant.app.id,
          requireMatch: true,
        });
        // A backend's word on the end user's IP counts only when it proved who it is.
        const ip = client.confidential && body.options?.clientIp ? body.options.clientIp : request.ip;
        return ok(request, await signIn(ctx, tenant, body, { ip, userAgent: userAgent(request) }));
      },
    );
  };
}
