import type { FastifyReply, FastifyRequest } from "fastify";
import { randomBase64url } from "../../lib/ids.js";
import { CODE_COOLDOWN_MS } from "../../services/codes/engine.js";
import type { FactorType } from "../../services/mfa/deps.js";
import type { MfaStep } from "../../services/oidc/interactions.js";
import { interactionBinding } from "../../services/passkeys/index.js";
import { classify, errorText } from "../error-page.js";
import type { MfaQuery } from "../forms.js";
import { type Frame, sendPage } from "../frame.js";
import { passkeyOffered, rememberDeviceDays, subjectOf } from "./second-factor.js";
import { frameOf, interactionPath, type PageDeps, redirectOrigins, type Scene } from "./shared.js";

/** What the step page offers: the factor types, and the recovery code beside an authenticator. */
export type ProveKind = "otp" | "sms" | "email" | "recovery" | "passkey";
export const KIND_OF: Record<FactorType, "otp" | "sms" | "email"> = {
  OTP: "otp",
  SMS: "sms",
  EMAIL: "email",
};
export const PROOF_OF: Record<Exclude<ProveKind, "passkey">, "OTP" | "SMS" | "EMAIL" | "RECOVERY"> = {
  otp: "OTP",
  sms: "SMS",
  email: "EMAIL",
  recovery: "RECOVERY",
};

interface StepView {
  kind?: ProveKind;
  error?: unknown;
  notice?: string;
}

/** "138****5678", "a***@example.com": enough to recognise, not to read off the screen. */
export function masked(value: string | undefined): string {
  if (!value) return "";
  const at = value.indexOf("@");
  if (at > 0) return `${value[0]}***${value.slice(at)}`;
  return value.length > 7 ? `${value.slice(0, 3)}****${value.slice(-4)}` : value;
}

function pick<T extends string>(offered: T[], ...asked: (string | undefined)[]): T | undefined {
  for (const a of asked) if (a && (offered as string[]).includes(a)) return a as T;
  return offered[0];
}

export function frameFor(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  kind?: string,
) {
  const uid = scene.interaction.uid;
  return frameOf(deps, request, reply, scene, interactionPath(uid, `/mfa${kind ? `?factor=${kind}` : ""}`));
}

function tabsOf(frame: Frame, uid: string, kinds: ProveKind[], current: ProveKind | undefined) {
  return kinds.map((k) => ({
    label: frame.t.mfa.factors[k],
    href: frame.link(interactionPath(uid, `/mfa?factor=${k}`)),
    current: k === current,
  }));
}

function statusOf(error: unknown): number {
  return error ? classify(error).statusCode : 200;
}

/** The step: prove one of the user's factors (docs/hosted-pages.md §Second factor). */
export async function showProve(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  step: MfaStep,
  view: StepView,
): Promise<FastifyReply> {
  const uid = scene.interaction.uid;
  const subject = subjectOf(request, scene, step);
  const owed = await deps.ctx.mfa.secondFactorsOwed(subject.poolId, subject.userId, scene.interaction.appId);
  const factors = await deps.ctx.mfa.listEnrolledFactors(subject);
  const kinds: ProveKind[] = owed.enrolled.map((t) => KIND_OF[t]);
  if (await passkeyOffered(deps, subject.poolId, subject.userId, step.method)) kinds.push("passkey");
  if (owed.enrolled.includes("OTP")) kinds.push("recovery");
  const kind = pick(kinds, view.kind, (request.query as MfaQuery | undefined)?.factor);
  const frame = frameFor(deps, request, reply, scene, kind);
  const profile = factors.find((f) => KIND_OF[f.factorType] === kind)?.profile;
  const days = await rememberDeviceDays(deps, scene);
  // The passkey ceremony: options naming only this user's passkeys, the ticket bound to the user and
  // to this interaction, and the nonce that lets this response's scripts run (docs/passkeys.md §MFA).
  const started =
    kind === "passkey"
      ? await deps.ctx.passkeys.startSecondFactor(subject.poolId, subject.userId, interactionBinding(uid))
      : undefined;
  const nonce = started ? randomBase64url(16) : undefined;
  return sendPage(
    reply,
    "mfa",
    frame,
    {
      appName: scene.interaction.appName,
      kind,
      tabs: kinds.length > 1 ? tabsOf(frame, uid, kinds, kind) : [],
      to: masked(kind === "sms" ? profile?.phoneNumber : kind === "email" ? profile?.email : undefined),
      rememberDays: days > 0 ? String(days) : undefined,
      error: view.error ? errorText(frame.t, view.error) : undefined,
      notice: view.notice,
      passkey: started && {
        ticket: started.ticket,
        options: JSON.stringify(started.authenticationOptions),
        nonce,
      },
      actions: {
        verify: frame.link(interactionPath(uid, "/mfa/verify")),
        send: frame.link(interactionPath(uid, "/mfa/send")),
        passkey: frame.link(interactionPath(uid, "/mfa/passkey")),
        abort: frame.link(interactionPath(uid, "/abort")),
      },
    },
    { status: statusOf(view.error), formOrigins: redirectOrigins(scene), scriptNonce: nonce },
  );
}

/** The secret of an otpauth URI, in groups of four for typing by hand. */
function secretOf(uri: string): string {
  const secret = new URL(uri).searchParams.get("secret") ?? "";
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** Forced enrolment: no factor yet and one is required (a required policy, or the RP's acr_values). */
export async function showEnrol(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  step: MfaStep,
  view: StepView,
): Promise<FastifyReply> {
  const uid = scene.interaction.uid;
  const owed = await deps.ctx.mfa.secondFactorsOwed(
    scene.interaction.poolId,
    step.userId,
    scene.interaction.appId,
  );
  const kinds = owed.enrollable.map((t) => KIND_OF[t]);
  const pending = step.enrolment;
  const kind = pick(
    kinds,
    view.kind,
    (request.query as MfaQuery | undefined)?.factor,
    pending && KIND_OF[pending.factorType],
  );
  const frame = frameFor(deps, request, reply, scene, kind);
  const current = pending && KIND_OF[pending.factorType] === kind ? pending : undefined;
  return sendPage(
    reply,
    "mfa-enrol",
    frame,
    {
      appName: scene.interaction.appName,
      kind,
      tabs: kinds.length > 1 ? tabsOf(frame, uid, kinds, kind) : [],
      pending: current
        ? {
            qr: current.otpData?.qrCodeDataUrl,
            uri: current.otpData?.qrCodeUri,
            secret: current.otpData ? secretOf(current.otpData.qrCodeUri) : undefined,
            to: masked(current.to),
          }
        : undefined,
      error: view.error ? errorText(frame.t, view.error) : undefined,
      notice: view.notice,
      actions: {
        start: frame.link(interactionPath(uid, "/mfa/enrol/start")),
        enrol: frame.link(interactionPath(uid, "/mfa/enrol")),
        abort: frame.link(interactionPath(uid, "/abort")),
      },
    },
    { status: statusOf(view.error), formOrigins: redirectOrigins(scene) },
  );
}

/** The new recovery code, shown once; "I saved it" finishes the sign-in. */
export async function showRecovery(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  recoveryCode: string | undefined,
): Promise<FastifyReply> {
  const uid = scene.interaction.uid;
  const frame = frameFor(deps, request, reply, scene);
  return sendPage(
    reply,
    "mfa-recovery",
    frame,
    { recoveryCode, actions: { done: frame.link(interactionPath(uid, "/mfa/continue")) } },
    { formOrigins: redirectOrigins(scene) },
  );
}

export function notice(frame: { t: Frame["t"] }, to: string): string {
  return frame.t.mfa.codeSent.replace("{to}", to).replace("{seconds}", String(CODE_COOLDOWN_MS / 1000));
}
