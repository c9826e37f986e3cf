import type { ApplicationDto } from "@gatehouse/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../../context.js";
import { ApiError } from "../../errors.js";
import { requestMeta } from "../../http/app-scope.js";
import { toApplicationDto } from "../../services/admin/apps.js";
import type { AppScope, RequestMeta } from "../../services/auth/index.js";
import type { RememberedDevices } from "../../services/mfa/remembered-device.js";
import type { Oidc } from "../../services/oidc/index.js";
import type { Interaction } from "../../services/oidc/interactions.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import { originsOf } from "../csp.js";
import { PageError } from "../error-page.js";
import type { Frame, FrameMaker } from "../frame.js";

/** What the page routes are given (docs/architecture.md, habit 5): the services they are clients of. */
export interface PageDeps {
  ctx: Context;
  oidc: Pick<Oidc, "interactions" | "logout">;
  frame: FrameMaker;
  /** "Remember this device" cookies for the second factor (services/mfa/remembered-device.ts). */
  rememberedDevices: RememberedDevices;
  /** The public URL is https: cookies are `Secure` and `__Host-`. */
  secureCookies: boolean;
}

/** An interaction, the application it is for (with its sign-in settings) and its pool. */
export interface Scene {
  interaction: Interaction;
  scope: AppScope;
  app: ApplicationDto;
}

/** The interaction behind a page; an unknown, spent or expired one is the "page expired" error. */
export async function loadScene(deps: PageDeps, uid: string, kind?: Interaction["kind"]): Promise<Scene> {
  const interaction = await deps.oidc.interactions.find(uid);
  if (!interaction || (kind && interaction.kind !== kind)) throw new ApiError("INTERACTION_NOT_FOUND");
  let scope: AppScope;
  try {
    scope = await deps.ctx.auth.resolveScope(interaction.appId);
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError("INTERACTION_NOT_FOUND");
    throw err;
  }
  if (scope.pool.id !== interaction.poolId) throw new ApiError("INTERACTION_NOT_FOUND");
  return { interaction, scope, app: toApplicationDto(scope.app) };
}

export function frameOf(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  pagePath: string,
): Frame {
  return deps.frame(request, reply, {
    poolName: scene.scope.pool.name,
    settings: scene.scope.settings,
    uiLocales: scene.interaction.uiLocales,
    pagePath,
  });
}

/**
 * The application's redirect origins: a form that finishes an interaction is answered with a
 * redirect there, which the page's `form-action` must allow.
 */
export function redirectOrigins(scene: Scene): string[] {
  return originsOf(scene.app.redirectUris);
}

export function metaOf(request: FastifyRequest, scene: Scene): RequestMeta {
  return requestMeta(request, scene.scope.app.id);
}

/** An error the form shows above itself (wrong password, code cooldown…); anything else goes up. */
export function formError(err: unknown): ApiError | PageError {
  if (err instanceof ApiError && err.statusCode < 500) return err;
  if (err instanceof PageError) return err;
  // A form's write refers to the user it acts for: they were deleted meanwhile, nothing was kept
  // (docs/behaviour-and-errors.md §1.10). The error page, as for a user gone.
  if (isForeignKeyViolation(err)) throw new ApiError("USER_NOT_FOUND");
  throw err;
}

/** A page's own render: its scene with a view (the form's values, an error, a notice…). */
export type ShowPage<V> = (
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  view: V,
) => Promise<FastifyReply>;

type FormRequest<B> = FastifyRequest<{ Params: { uid: string }; Body: B }>;

/**
 * The handler of a form posted on an interaction's page: the scene is loaded (an unknown, spent or
 * expired interaction is the error page), the action runs, and an error the form can show
 * (formError) shows the page again, with what the form held (`refill`) and the error.
 */
export function formHandler<B, V extends { error?: unknown }>(
  deps: PageDeps,
  kind: Interaction["kind"],
  show: ShowPage<V>,
  refill: (body: B) => V,
  action: (scene: Scene, request: FormRequest<B>, reply: FastifyReply) => Promise<FastifyReply>,
) {
  return async (request: FormRequest<B>, reply: FastifyReply): Promise<FastifyReply> => {
    const scene = await loadScene(deps, request.params.uid, kind);
    try {
      return await action(scene, request, reply);
    } catch (err) {
      return show(deps, request, reply, scene, { ...refill(request.body as B), error: formError(err) });
    }
  };
}

/** The browser goes on to where the OpenID Provider says (303: the next request is a GET). */
export function continueTo(reply: FastifyReply, url: string): FastifyReply {
  return reply.header("cache-control", "no-store").redirect(url, 303);
}

export const interactionPath = (uid: string, rest = "") => `/interaction/${encodeURIComponent(uid)}${rest}`;
