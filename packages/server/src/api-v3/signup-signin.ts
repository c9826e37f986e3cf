import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { authPaths, SignInRequest, SignInResponse, SignUpRequest, SignUpResponse } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { appScopeOf, requestMeta, requireAppScope } from "../http/app-scope.js";
import { presentedClient } from "../http/client-credentials.js";
import { ok } from "../http/envelope.js";

/** Registration and login ("注册" / "登录"), docs/wire-contract.md §3a. */
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
        preHandler: requireAppScope(ctx),
      },
      async (request) =>
        ok(request, await ctx.auth.signUp(appScopeOf(request), request.body, requestMeta(request))),
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
        preHandler: requireAppScope(ctx),
      },
      async (request) => {
        const scope = appScopeOf(request);
        const body = request.body;
        const client = await ctx.auth.authenticateClient(presentedClient(request, body), {
          appId: scope.app.id,
          requireMatch: true,
        });
        const meta = requestMeta(request);
        // A backend's word on the end user's IP counts only when it proved who it is.
        if (client.confidential && body.options?.clientIp) meta.ip = body.options.clientIp;
        return ok(request, await ctx.auth.signIn(scope, body, meta));
      },
    );
  };
}
