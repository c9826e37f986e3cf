import type { FastifyReply, FastifyRequest } from "fastify";
import type { FactorType } from "../../services/mfa/deps.js";
import type { MfaSubject } from "../../services/mfa/index.js";
import { SESSION_COOKIE, type SignInMethod } from "../../services/oidc/browser-sessions.js";
import type { FirstFactor } from "../../services/oidc/first-factor.js";
import type { MfaStep } from "../../services/oidc/interactions.js";
import {
  type AmrValue,
  amrOf,
  asksForMfa,
  firstFactorAmr,
  raisedAmr,
} from "../../services/tokens/auth-context.js";
import { PageError } from "../error-page.js";
import { browserCookie } from "./ext-idp-cookie.js";
import { continueTo, interactionPath, metaOf, type PageDeps, type Scene } from "./shared.js";

/** The cookie that remembers a device for the second factor; `__Host-` on https. */
export function rememberCookieName(secure: boolean): string {
  return secure ? "__Host-gatehouse_mfa_device" : "gatehouse_mfa_device";
}

/** What the hosted sign-in asks after a first factor (docs/mfa.md §The hosted sign-in step). */
export interface SecondFactorPlan {
  action: "none" | "prove" | "enrol";
  /** The user's factors that count here (prove one of them). */
  enrolled: FactorType[];
  /** Factors the user may enrol here. */
  enrollable: FactorType[];
  /** The user may prove the second factor with one of their passkeys. */
  passkey: boolean;
  /** The RP's `acr_values` ask for a second factor: no remembered device skips it. */
  forced: boolean;
  /** "Remember this device" for this many days; 0: not offered. */
  rememberDeviceDays: number;
}

/**
 * Whether a user past `method` may prove the second factor with a passkey: they have one, and the
 * first factor was not a passkey (the same key twice is one factor).
 */
export async function passkeyOffered(deps: PageDeps, poolId: string, userId: string, method: SignInMethod) {
  return method !== "passkey" && (await deps.ctx.passkeys.hasPasskey(poolId, userId));
}

/**
 * The MFA service's answer for this user and application (its policy, docs/mfa.md §Policy), then
 * the RP's `acr_values` (a second factor even under an optional or off policy; a user with none
 * enrols one), then a remembered device (skips only a proof the policy alone asks for). A passkey
 * is a second factor the user already has: it turns an enrolment into a proof.
 */
export async function planSecondFactor(
  deps: PageDeps,
  request: FastifyRequest,
  scene: Scene,
  login: { userId: string; method: SignInMethod },
): Promise<SecondFactorPlan> {
  const { poolId, appId } = scene.interaction;
  const { userId } = login;
  const [owed, policy] = await Promise.all([
    deps.ctx.mfa.secondFactorsOwed(poolId, userId, appId),
    deps.ctx.mfa.policyFor(poolId, appId),
  ]);
  let action: SecondFactorPlan["action"] = owed.action;
  const rememberDays = policy.rememberDeviceDays;
  const forced = asksForMfa(scene.interaction.acrValues);
  // Read only when a second factor is asked at all: a sign-in without MFA costs no extra query.
  const passkey = (forced || action !== "none") && (await passkeyOffered(deps, poolId, userId, login.method));
  if (forced && action === "none") {
    if (owed.enrolled.length > 0 || passkey) action = "prove";
    else if (owed.enrollable.length > 0) action = "enrol";
    else throw new PageError("MFA_UNAVAILABLE", 403);
  }
  if (action === "enrol" && passkey) action = "prove";
  if (action === "prove" && !forced && rememberDays > 0) {
    const cookie = request.cookies[rememberCookieName(deps.secureCookies)];
    if (deps.rememberedDevices.remembers(cookie, poolId, userId)) action = "none";
  }
  return {
    action,
    enrolled: owed.enrolled,
    enrollable: owed.enrollable,
    passkey,
    forced,
    rememberDeviceDays: rememberDays,
  };
}

/** The pool's "remember this device" days for the interaction's application; 0: not offered. */
export async function rememberDeviceDays(deps: PageDeps, scene: Scene): Promise<number> {
  return (await deps.ctx.mfa.policyFor(scene.interaction.poolId, scene.interaction.appId)).rememberDeviceDays;
}

/** A link to a page of the interaction that keeps the language the visitor chose. */
export function pageLink(request: FastifyRequest, uid: string, rest: string): string {
  const asked = (request.query as { ui_locales?: unknown } | undefined)?.ui_locales;
  const path = interactionPath(uid, rest);
  return typeof asked === "string" && asked
    ? `${path}${path.includes("?") ? "&" : "?"}ui_locales=${encodeURIComponent(asked)}`
    : path;
}

/** The browser session opens: the interaction is answered and the authorization resumes. */
export async function finishSignIn(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  login: {
    userId: string;
    method: SignInMethod;
    second?: AmrValue;
    amr?: AmrValue[];
    passkeyCapable?: boolean;
    stepUp?: boolean;
  },
): Promise<FastifyReply> {
  if (login.stepUp && login.second) {
    // The browser session signed in already; it now has the second factor too (docs/mfa.md §Step-up).
    const session = await deps.ctx.oidc.browserSessions.read(request.cookies[SESSION_COOKIE]);
    const done = await deps.oidc.interactions.finishStepUp(scene.interaction.uid, {
      sessionId: session?.sessionId ?? "",
      userId: login.userId,
      amr: raisedAmr(session?.amr ?? [], login.second),
    });
    return continueTo(reply, done.redirectTo);
  }
  if (await promptsForPasskey(deps, scene, login)) {
    const second = login.second as MfaStep["second"];
    await deps.oidc.interactions.saveMfaStep(scene.interaction.uid, {
      userId: login.userId,
      method: login.method,
      phase: "passkey",
      ...(second ? { second } : {}),
    });
    return continueTo(reply, pageLink(request, scene.interaction.uid, "/passkey-prompt"));
  }
  const meta = metaOf(request, scene);
  // An upstream identity waiting for this account's owner is linked once they are fully signed in
  // (docs/social-sign-in.md#signing-in).
  await deps.ctx.identities.roundTrips.completePendingLink(
    scene.interaction.uid,
    browserCookie(deps, request),
    login.userId,
    meta.origin,
  );
  const done = await deps.oidc.interactions.finishLogin(scene.interaction.uid, {
    userId: login.userId,
    method: login.method,
    amr: login.amr ?? amrOf(firstFactorAmr(login.method), login.second),
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  reply.setCookie(done.cookie.name, done.cookie.value, done.cookie.options);
  return continueTo(reply, done.redirectTo);
}

/**
 * "Add a passkey so next time you need no password" (docs/passkeys.md §The prompt): only after a
 * password sign-in, in a browser whose script said it can create a passkey, for a user with none
 * who has not said "not now" lately or "don't ask again".
 */
async function promptsForPasskey(
  deps: PageDeps,
  scene: Scene,
  login: { userId: string; method: SignInMethod; passkeyCapable?: boolean },
): Promise<boolean> {
  if (login.method !== "password" || login.passkeyCapable !== true) return false;
  return deps.ctx.passkeys.prompt.due({ poolId: scene.interaction.poolId, userId: login.userId });
}

/**
 * Where every first factor of the hosted pages ends (password, SMS or email code, sign-up, and any
 * way in that comes later): signed in straight away, or the login waits in the interaction for its
 * second factor and the browser goes to the MFA step. The first factor is remembered server-side,
 * never read back from a form.
 */
export async function afterFirstFactor(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  login:
    | { userId: string; method: SignInMethod; passkeyCapable?: boolean }
    | (FirstFactor & { userId: string }),
): Promise<FastifyReply> {
  // A first factor that is multi-factor by itself (a passkey with user verification) asks for
  // nothing more, whatever the policy or the RP's acr_values (docs/passkeys.md §MFA).
  if ("mfaSatisfied" in login && login.mfaSatisfied) return finishSignIn(deps, request, reply, scene, login);
  const plan = await planSecondFactor(deps, request, scene, login);
  if (plan.action === "none") return finishSignIn(deps, request, reply, scene, login);
  const step: MfaStep = {
    userId: login.userId,
    method: login.method,
    phase: plan.action,
    ...("passkeyCapable" in login && login.passkeyCapable ? { passkeyCapable: true } : {}),
  };
  await deps.oidc.interactions.saveMfaStep(scene.interaction.uid, step);
  return continueTo(reply, pageLink(request, scene.interaction.uid, "/mfa"));
}

/**
 * A step-up interaction (docs/mfa.md §Step-up) opened in the browser whose session it names: only
 * the second factor is asked, or nothing when the plan says so (a remembered device). Undefined
 * when the browser carries another session or none: its page is a full sign-in then.
 */
export async function startStepUp(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
): Promise<FastifyReply | undefined> {
  const { uid, stepUpSessionId, userId, mfaStep } = scene.interaction;
  if (!stepUpSessionId) return undefined;
  const session = await deps.ctx.oidc.browserSessions.read(request.cookies[SESSION_COOKIE]);
  if (!session || session.sessionId !== stepUpSessionId || session.userId !== userId) return undefined;
  if (mfaStep?.stepUp) return continueTo(reply, pageLink(request, uid, "/mfa"));
  if (mfaStep) return undefined;
  const plan = await planSecondFactor(deps, request, scene, session);
  if (plan.action === "none") {
    const done = await deps.oidc.interactions.finishStepUp(uid, { sessionId: session.sessionId, userId });
    return continueTo(reply, done.redirectTo);
  }
  await deps.oidc.interactions.saveMfaStep(uid, {
    userId: session.userId,
    method: session.method,
    phase: plan.action,
    stepUp: true,
  });
  return continueTo(reply, pageLink(request, uid, "/mfa"));
}

/** The MFA service's view of the user the step is for. */
export function subjectOf(request: FastifyRequest, scene: Scene, step: MfaStep): MfaSubject {
  return {
    poolId: scene.interaction.poolId,
    userId: step.userId,
    settings: scene.scope.settings,
    meta: metaOf(request, scene),
  };
}

/** The interaction's step, in the phase a form belongs to; anything else is the "wrong step" page. */
export async function stepIn(
  deps: PageDeps,
  request: FastifyRequest,
  scene: Scene,
  ...phases: MfaStep["phase"][]
): Promise<MfaStep> {
  const step = scene.interaction.mfaStep;
  if (!step || !phases.includes(step.phase)) throw new PageError("MFA_NO_STEP", 400);
  // A step-up is open only to the browser whose session it raises: nobody else's code is counted.
  if (step.stepUp) {
    const session = await deps.ctx.oidc.browserSessions.read(request.cookies[SESSION_COOKIE]);
    if (session?.sessionId !== scene.interaction.stepUpSessionId) throw new PageError("MFA_NO_STEP", 400);
  }
  return step;
}
