import fs from "node:fs";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import fastifyStatic from "@fastify/static";
import view from "@fastify/view";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { keepOpener } from "../http/security-headers.js";
import { createRememberedDevices } from "../services/mfa/remembered-device.js";
import { accountRoutes } from "./account/index.js";
import { assetsBase, eta } from "./engine.js";
import { classify, errorContext, PageError, sendErrorPage } from "./error-page.js";
import { ASSETS_DIR, TEMPLATES_DIR, VENDOR_ASSETS } from "./files.js";
import { frameMaker } from "./frame.js";
import { consentRoutes } from "./pages/consent.js";
import { extIdpRoutes } from "./pages/ext-idp.js";
import { forgotPasswordRoutes } from "./pages/forgot-password.js";
import { logoutRoutes } from "./pages/logout.js";
import { mfaRoutes } from "./pages/mfa.js";
import { passkeyPromptRoutes } from "./pages/passkey-prompt.js";
import type { PageDeps } from "./pages/shared.js";
import { signInRoutes } from "./pages/sign-in.js";
import { signUpRoutes } from "./pages/sign-up.js";

/** Methods no page takes (OPTIONS stays the CORS preflight's). */
const OTHER_METHODS = ["PUT", "DELETE", "PATCH"];

/** The CSRF secret's cookie; `__Host-` (no Domain, Path=/, Secure) when the server is on https. */
export function csrfCookieName(secure: boolean): string {
  return secure ? "__Host-gatehouse_csrf" : "gatehouse_csrf";
}

/**
 * The hosted pages (docs/hosted-pages.md): /interaction/* (sign in, sign up, forgot password,
 * consent), /logout/*, the account page /account (docs/account-page.md) and /assets/*. Server-rendered forms that work without JavaScript; each
 * page sets its own CSP; every POST carries a CSRF token; form bodies are parsed only here.
 */
export function hostedRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const secure = ctx.config.publicUrl.startsWith("https:");
    await app.register(formbody);
    // @fastify/view re-configures the engine's `views` on every render: it must be told the same folder.
    await app.register(view, { engine: { eta }, templates: TEMPLATES_DIR, production: true });
    await app.register(csrf, {
      sessionPlugin: "@fastify/cookie",
      cookieKey: csrfCookieName(secure),
      cookieOpts: { path: "/", sameSite: "lax", httpOnly: true, secure },
    });
    await app.register(fastifyStatic, {
      root: ASSETS_DIR,
      prefix: `${assetsBase()}/`,
      maxAge: "365d",
      immutable: true,
      index: false,
      list: false,
      wildcard: false,
    });
    keepOpener(app);
    for (const [name, file] of Object.entries(VENDOR_ASSETS)) {
      const body = fs.readFileSync(file);
      app.get(`${assetsBase()}/${name}`, { schema: { hide: true } }, async (_request, reply) =>
        reply
          .type("text/javascript; charset=utf-8")
          .header("cache-control", "public, max-age=31536000, immutable")
          .send(body),
      );
    }
    // The pages post forms only: a JSON body (parsed app-wide) is not one of their inputs.
    app.addHook("onRequest", async (request) => {
      if (request.method !== "POST") return;
      const type = String(request.headers["content-type"] ?? "")
        .split(";")[0]
        ?.trim()
        .toLowerCase();
      if (type !== "application/x-www-form-urlencoded") throw new PageError("UNSUPPORTED_MEDIA_TYPE", 415);
    });
    app.setErrorHandler(async (err, request, reply) => {
      const { textKey, statusCode, unexpected } = classify(err);
      if (unexpected) request.log.error({ err }, "hosted page failed");
      return sendErrorPage(request, reply, { statusCode, textKey, ...(await errorContext(ctx, request)) });
    });

    const deps: PageDeps = {
      ctx,
      oidc: ctx.oidc,
      frame: frameMaker(assetsBase()),
      rememberedDevices: createRememberedDevices({ secret: ctx.keys.secret, clock: ctx.clock }),
      secureCookies: secure,
    };
    await app.register(signInRoutes(deps));
    await app.register(signUpRoutes(deps));
    await app.register(mfaRoutes(deps));
    await app.register(passkeyPromptRoutes(deps));
    await app.register(forgotPasswordRoutes(deps));
    await app.register(consentRoutes(deps));
    await app.register(logoutRoutes(deps));
    await app.register(accountRoutes(deps));
    await app.register(extIdpRoutes(deps));
    // Any other address under the pages' paths, or a method no page takes, is the "no such page"
    // error page, not JSON.
    for (const url of ["/interaction/*", "/logout/*", "/account/*", "/ext-idp/*"]) {
      app.route({
        method: ["GET", "POST", ...OTHER_METHODS],
        url,
        schema: { hide: true },
        handler: async () => {
          throw new PageError("NOT_FOUND", 404);
        },
      });
    }
    // The account page itself is read by GET; each of its forms posts to an address of its own.
    app.route({
      method: ["POST", ...OTHER_METHODS],
      url: "/account",
      schema: { hide: true },
      handler: async () => {
        throw new PageError("NOT_FOUND", 404);
      },
    });
  };
}
