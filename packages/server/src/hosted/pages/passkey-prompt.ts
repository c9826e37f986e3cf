import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { eventOrigin } from "../../http/event-origin.js";
import { describeUserAgent } from "../../lib/user-agent.js";
import type { MfaStep } from "../../services/oidc/interactions.js";
import { interactionBinding } from "../../services/passkeys/index.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import { classify, errorText } from "../error-page.js";
import { PasskeyPromptForm, PasskeyPromptSkipForm, UidParams } from "../forms.js";
import { sendPage } from "../frame.js";
import { registrationOf } from "../webauthn-form.js";
import { finishSignIn, pageLink, stepIn } from "./second-factor.js";
import {
  formError,
  frameOf,
  interactionPath,
  loadScene,
  type PageDeps,
  redirectOrigins,
  type Scene,
} from "./shared.js";

/** The name a new passkey is offered with: the browser and system it is made in ("Chrome on macOS"). */
function suggestedName(request: FastifyRequest): string {
  const ua = describeUserAgent(request.headers["user-agent"]);
  return [ua.name, ua.os].filter(Boolean).join(" · ").slice(0, 64);
}

/** The sign-in ends as it would have without the prompt (and never prompts again in it). */
const finish = (deps: PageDeps, request: FastifyRequest, reply: FastifyReply, scene: Scene, step: MfaStep) =>
  finishSignIn(deps, request, reply, scene, {
    userId: step.userId,
    method: step.method,
    ...(step.second ? { second: step.second } : {}),
  });

async function showPrompt(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  step: MfaStep,
  view: { error?: unknown; name?: string },
): Promise<FastifyReply> {
  const uid = scene.interaction.uid;
  const frame = frameOf(deps, request, reply, scene, interactionPath(uid, "/passkey-prompt"));
  const owner = { poolId: scene.interaction.poolId, userId: step.userId, origin: eventOrigin(request) };
  const started = await deps.ctx.passkeys.registration.start(owner, interactionBinding(uid));
  return sendPage(
    reply,
    "passkey-prompt",
    frame,
    {
      error: view.error !== undefined ? errorText(frame.t, view.error) : undefined,
      name: view.name ?? suggestedName(request),
      passkey: { ticket: started.ticket, options: JSON.stringify(started.registrationOptions) },
      actions: {
        add: pageLink(request, uid, "/passkey-prompt"),
        skip: pageLink(request, uid, "/passkey-prompt/skip"),
      },
    },
    {
      status: view.error !== undefined ? classify(view.error).statusCode : 200,
      formOrigins: redirectOrigins(scene),
      scripts: true,
    },
  );
}

/**
 * "Add a passkey so next time you need no password" (docs/passkeys.md §The prompt): after a
 * password sign-in, before the sign-in ends. Adding one, "Not now" and "Don't ask again" all end
 * the sign-in; the answers are remembered per user.
 */
export function passkeyPromptRoutes(deps: PageDeps) {
  const { ctx } = deps;
  return async (app: FastifyInstance) => {
    const protect = { preHandler: app.csrfProtection };

    app.get<{ Params: UidParams }>(
      "/interaction/:uid/passkey-prompt",
      { schema: { hide: true, params: UidParams } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        return showPrompt(deps, request, reply, scene, await stepIn(deps, request, scene, "passkey"), {});
      },
    );

    app.post<{ Params: UidParams; Body: PasskeyPromptForm }>(
      "/interaction/:uid/passkey-prompt",
      { ...protect, schema: { hide: true, params: UidParams, body: PasskeyPromptForm } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = await stepIn(deps, request, scene, "passkey");
        const owner = { poolId: scene.interaction.poolId, userId: step.userId, origin: eventOrigin(request) };
        try {
          await ctx.passkeys.registration.finish(
            owner,
            {
              ticket: request.body.ticket ?? "",
              registrationCredential: registrationOf(request.body.credential),
              ...(request.body.name?.trim() ? { name: request.body.name } : {}),
            },
            interactionBinding(scene.interaction.uid),
          );
        } catch (err) {
          // The user deleted meanwhile (docs/behaviour-and-errors.md §1.10): the sign-in ends and
          // answers it as it would without the prompt.
          if (isForeignKeyViolation(err)) return finish(deps, request, reply, scene, step);
          return showPrompt(deps, request, reply, scene, step, {
            error: formError(err),
            name: request.body.name,
          });
        }
        return finish(deps, request, reply, scene, step);
      },
    );

    app.post<{ Params: UidParams; Body: PasskeyPromptSkipForm }>(
      "/interaction/:uid/passkey-prompt/skip",
      { ...protect, schema: { hide: true, params: UidParams, body: PasskeyPromptSkipForm } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = await stepIn(deps, request, scene, "passkey");
        await ctx.passkeys.prompt
          .answer({ poolId: scene.interaction.poolId, userId: step.userId }, request.body.answer ?? "later")
          .catch((err: unknown) => {
            // The user deleted meanwhile: nothing to remember; the sign-in's end answers it.
            if (!isForeignKeyViolation(err)) throw err;
          });
        return finish(deps, request, reply, scene, step);
      },
    );
  };
}
