import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ConsentForm, UidParams } from "../forms.js";
import { sendPage } from "../frame.js";
import type { Texts } from "../texts/index.js";
import {
  continueTo,
  frameOf,
  interactionPath,
  loadScene,
  type PageDeps,
  redirectOrigins,
  type Scene,
} from "./shared.js";

/** Each scope in words; an unknown one is named as it is. */
function scopeTexts(t: Texts, scopes: string[]): string[] {
  return scopes.map((s) => t.consent.scopes[s] ?? t.consent.scopes.other?.replace("{scope}", s) ?? s);
}

/** The consent page: what the application asks for, allow or deny. */
export async function consentPage(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
): Promise<FastifyReply> {
  const uid = scene.interaction.uid;
  const frame = frameOf(deps, request, reply, scene, interactionPath(uid));
  return sendPage(
    reply,
    "consent",
    frame,
    {
      appName: scene.interaction.appName,
      scopes: scopeTexts(frame.t, scene.interaction.scopes),
      actions: { submit: frame.link(interactionPath(uid, "/consent")) },
    },
    { formOrigins: redirectOrigins(scene) },
  );
}

export function consentRoutes(deps: PageDeps) {
  return async (app: FastifyInstance) => {
    app.post<{ Params: UidParams; Body: ConsentForm }>(
      "/interaction/:uid/consent",
      { preHandler: app.csrfProtection, schema: { hide: true, params: UidParams, body: ConsentForm } },
      async (request, reply) => {
        await loadScene(deps, request.params.uid, "consent");
        const { redirectTo } = await deps.oidc.interactions.finishConsent(request.params.uid, {
          granted: request.body.decision === "allow",
        });
        return continueTo(reply, redirectTo);
      },
    );
  };
}
