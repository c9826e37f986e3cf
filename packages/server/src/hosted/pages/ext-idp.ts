import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { eventOrigin } from "../../http/event-origin.js";
import { methodOf } from "../../services/identities/round-trip.js";
import { PageError } from "../error-page.js";
import { UidParams } from "../forms.js";
import type { Frame } from "../frame.js";
import { sendPage } from "../frame.js";
import { browserCookie, ensureBrowser } from "./ext-idp-cookie.js";
import { afterFirstFactor } from "./second-factor.js";
import { continueTo, interactionPath, loadScene, metaOf, type PageDeps, type Scene } from "./shared.js";

/**
 * Sign-in through an external identity provider on the hosted pages (docs/social-sign-in.md):
 * the button's start, the upstream's callback, and the start of a link round trip prepared by
 * generate-link-extidp-url. Each round trip is bound to this browser by a cookie of its own.
 */

/** The sign-in page's buttons: the connections enabled for the application. */
export async function extIdpButtons(deps: PageDeps, frame: Frame, scene: Scene) {
  const enabled = await deps.ctx.identities.roundTrips.enabledFor(
    scene.scope.pool.id,
    scene.interaction.appId,
  );
  return enabled.map((e) => ({
    name: e.name,
    href: frame.link(interactionPath(scene.interaction.uid, `/ext-idp/${encodeURIComponent(e.connId)}`)),
  }));
}

const ConnParams = Type.Object({ connId: Type.String({ minLength: 1, maxLength: 64 }) });
const StartParams = Type.Object({ ...UidParams.properties, ...ConnParams.properties });
/** The callback's query is the upstream's: bounded, read as a whole by the round trip. */
const CallbackQuery = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4096 }), {
  maxProperties: 20,
});
const REFUSAL_STATUS: Record<string, number> = {
  REGISTER_DISABLED: 403,
  EXT_IDP_CONN_DISABLED: 403,
  EXT_IDP_UNAVAILABLE: 502,
};
/** `token`: the round trip's state under a name the request log redacts (http/request-log.ts). */
const LinkQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) });

export function extIdpRoutes(deps: PageDeps) {
  const { ctx } = deps;
  const trips = ctx.identities.roundTrips;
  return async (app: FastifyInstance) => {
    app.get<{ Params: { uid: string; connId: string } }>(
      "/interaction/:uid/ext-idp/:connId",
      { schema: { hide: true, params: StartParams } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const browser = ensureBrowser(deps, request, reply);
        const url = await trips.startLogin({
          poolId: scene.scope.pool.id,
          appId: scene.interaction.appId,
          connId: request.params.connId,
          interactionUid: scene.interaction.uid,
          browser,
        });
        return continueTo(reply, url);
      },
    );

    app.get<{ Params: { connId: string }; Querystring: { token: string } }>(
      "/ext-idp/:connId/link",
      { schema: { hide: true, params: ConnParams, querystring: LinkQuery } },
      async (request, reply) => {
        const browser = ensureBrowser(deps, request, reply);
        const url = await trips.startLink(request.params.connId, request.query.token, browser);
        if (!url) throw new PageError("EXT_IDP_STATE", 400);
        return continueTo(reply, url);
      },
    );

    app.get<{ Params: { connId: string }; Querystring: Record<string, string> }>(
      "/ext-idp/:connId/callback",
      { schema: { hide: true, params: ConnParams, querystring: CallbackQuery } },
      async (request, reply) => {
        const query = new URLSearchParams(request.query);
        const outcome = await trips.callback(request.params.connId, query, browserCookie(deps, request), {
          scopeOf: (id) => ctx.auth.resolveScope(id),
          interactionOpen: async (uid) => (await deps.oidc.interactions.find(uid))?.kind === "login",
          origin: eventOrigin(request),
        });
        switch (outcome.kind) {
          case "refused":
            // What the upstream or the checks said, for the operator (no token, no secret in it).
            request.log.info(
              { extIdpConn: request.params.connId, refused: outcome.textKey, detail: outcome.detail },
              "upstream sign-in refused",
            );
            throw new PageError(outcome.textKey, REFUSAL_STATUS[outcome.textKey] ?? 400);
          case "link-required":
            return continueTo(reply, interactionPath(outcome.interactionUid));
          case "linked": {
            if (outcome.targetUrl) return continueTo(reply, outcome.targetUrl);
            const scope = await ctx.auth.resolveScope(outcome.appId);
            const frame = deps.frame(request, reply, {
              poolName: scope.pool.name,
              settings: scope.settings,
              pagePath: request.url,
            });
            return sendPage(reply, "ext-idp-linked", frame, { connName: outcome.conn.display_name });
          }
          case "sign-in": {
            const scene = await loadScene(deps, outcome.interactionUid, "login");
            const method = methodOf(outcome.conn);
            const user = await ctx.auth.authenticateExternal(
              scene.scope,
              outcome.user,
              method,
              metaOf(request, scene),
            );
            return afterFirstFactor(deps, request, reply, scene, { userId: user.id, method });
          }
        }
      },
    );
  };
}
