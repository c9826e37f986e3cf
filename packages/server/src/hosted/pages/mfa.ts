import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../../errors.js";
import { CODE_COOLDOWN_MS } from "../../services/codes/engine.js";
import type { FactorType } from "../../services/mfa/deps.js";
import type { MfaStep, PendingEnrolment } from "../../services/oidc/interactions.js";
import { classify, errorText, PageError } from "../error-page.js";
import {
  CsrfOnlyForm,
  MfaEnrolForm,
  MfaEnrolStartForm,
  MfaQuery,
  MfaSendForm,
  MfaVerifyForm,
  UidParams,
} from "../forms.js";
import { type Frame, sendPage } from "../frame.js";
import {
  finishSignIn,
  pageLink,
  rememberCookieName,
  rememberDeviceDays,
  stepIn,
  subjectOf,
} from "./second-factor.js";
import {
  continueTo,
  formError,
  frameOf,
  interactionPath,
  loadScene,
  type PageDeps,
  redirectOrigins,
  type Scene,
} from "./shared.js";

/** What the step page offers: the factor types, and the recovery code beside an authenticator. */
type ProveKind = "otp" | "sms" | "email" | "recovery";
const KIND_OF: Record<FactorType, ProveKind> = { OTP: "otp", SMS: "sms", EMAIL: "email" };
const PROOF_OF: Record<ProveKind, "OTP" | "SMS" | "EMAIL" | "RECOVERY"> = {
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

function frameFor(deps: PageDeps, request: FastifyRequest, reply: FastifyReply, scene: Scene, kind?: string) {
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
async function showProve(
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
  if (owed.enrolled.includes("OTP")) kinds.push("recovery");
  const kind = pick(kinds, view.kind, (request.query as MfaQuery | undefined)?.factor);
  const frame = frameFor(deps, request, reply, scene, kind);
  const profile = factors.find((f) => KIND_OF[f.factorType] === kind)?.profile;
  const days = await rememberDeviceDays(deps, scene);
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
      actions: {
        verify: frame.link(interactionPath(uid, "/mfa/verify")),
        send: frame.link(interactionPath(uid, "/mfa/send")),
        abort: frame.link(interactionPath(uid, "/abort")),
      },
    },
    { status: statusOf(view.error), formOrigins: redirectOrigins(scene) },
  );
}

/** The secret of an otpauth URI, in groups of four for typing by hand. */
function secretOf(uri: string): string {
  const secret = new URL(uri).searchParams.get("secret") ?? "";
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** Forced enrolment: no factor yet and one is required (a required policy, or the RP's acr_values). */
async function showEnrol(
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
async function showRecovery(
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

function notice(frame: { t: Frame["t"] }, to: string): string {
  return frame.t.mfa.codeSent.replace("{to}", to).replace("{seconds}", String(CODE_COOLDOWN_MS / 1000));
}

/** The MFA step's pages: prove a factor, or enrol one, then the sign-in continues. */
export function mfaRoutes(deps: PageDeps) {
  const { ctx } = deps;
  return async (app: FastifyInstance) => {
    const protect = { preHandler: app.csrfProtection };
    const schema = <B>(body: B) => ({ hide: true, params: UidParams, body });

    const rememberDevice = async (reply: FastifyReply, scene: Scene, step: MfaStep) => {
      const days = await rememberDeviceDays(deps, scene);
      if (!step.remember || days <= 0) return;
      const { value, maxAge } = deps.rememberedDevices.issue(scene.interaction.poolId, step.userId, days);
      reply.setCookie(rememberCookieName(deps.secureCookies), value, {
        httpOnly: true,
        sameSite: "lax",
        secure: deps.secureCookies,
        path: "/",
        maxAge,
      });
    };

    app.get<{ Params: UidParams; Querystring: MfaQuery }>(
      "/interaction/:uid/mfa",
      { schema: { hide: true, params: UidParams, querystring: MfaQuery } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = scene.interaction.mfaStep;
        // No first factor yet: the sign-in page comes first.
        if (!step) return continueTo(reply, pageLink(request, scene.interaction.uid, ""));
        if (step.phase === "prove") return showProve(deps, request, reply, scene, step, {});
        if (step.phase === "enrol") return showEnrol(deps, request, reply, scene, step, {});
        return showRecovery(deps, request, reply, scene, undefined);
      },
    );

    app.post<{ Params: UidParams; Body: MfaVerifyForm }>(
      "/interaction/:uid/mfa/verify",
      { ...protect, schema: schema(MfaVerifyForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = stepIn(scene, "prove");
        const { kind } = request.body;
        try {
          const owed = await ctx.mfa.secondFactorsOwed(
            scene.interaction.poolId,
            step.userId,
            scene.interaction.appId,
          );
          const type = kind === "recovery" ? "OTP" : PROOF_OF[kind];
          if (!(owed.enrolled as string[]).includes(type)) throw new ApiError("MFA_FACTOR_NOT_FOUND");
          const code = request.body.code?.trim() ?? "";
          if (!code) throw new PageError("CODE_WRONG", 400);
          const proved = await ctx.mfa.verifyFactor(subjectOf(request, scene, step), {
            kind: PROOF_OF[kind],
            code,
          });
          const next: MfaStep = {
            userId: step.userId,
            method: step.method,
            phase: "recovery",
            second: proved.amr,
            ...(request.body.remember === "on" ? { remember: true } : {}),
          };
          if (proved.newRecoveryCode) {
            // The used recovery code is gone: the new one is shown once before the sign-in goes on.
            await deps.oidc.interactions.saveMfaStep(scene.interaction.uid, next);
            return showRecovery(deps, request, reply, scene, proved.newRecoveryCode);
          }
          await rememberDevice(reply, scene, next);
          return await finishSignIn(deps, request, reply, scene, { ...step, second: proved.amr });
        } catch (err) {
          return showProve(deps, request, reply, scene, step, { kind, error: formError(err) });
        }
      },
    );

    app.post<{ Params: UidParams; Body: MfaSendForm }>(
      "/interaction/:uid/mfa/send",
      { ...protect, schema: schema(MfaSendForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = stepIn(scene, "prove");
        const { kind } = request.body;
        try {
          const subject = subjectOf(request, scene, step);
          const owed = await ctx.mfa.secondFactorsOwed(
            subject.poolId,
            subject.userId,
            scene.interaction.appId,
          );
          const type = kind === "sms" ? "SMS" : "EMAIL";
          if (!owed.enrolled.includes(type)) throw new ApiError("MFA_FACTOR_NOT_FOUND");
          await ctx.mfa.sendVerifyCode(subject, type);
          const factors = await ctx.mfa.listEnrolledFactors(subject);
          const profile = factors.find((f) => f.factorType === type)?.profile;
          const to = masked(type === "SMS" ? profile?.phoneNumber : profile?.email);
          const frame = frameFor(deps, request, reply, scene, kind);
          return showProve(deps, request, reply, scene, step, { kind, notice: notice(frame, to) });
        } catch (err) {
          return showProve(deps, request, reply, scene, step, { kind, error: formError(err) });
        }
      },
    );

    app.post<{ Params: UidParams; Body: MfaEnrolStartForm }>(
      "/interaction/:uid/mfa/enrol/start",
      { ...protect, schema: schema(MfaEnrolStartForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = stepIn(scene, "enrol");
        const { factor } = request.body;
        const factorType = PROOF_OF[factor] as FactorType;
        try {
          const subject = subjectOf(request, scene, step);
          const profile =
            factorType === "SMS"
              ? { phoneNumber: request.body.phone?.trim() ?? "" }
              : factorType === "EMAIL"
                ? { email: request.body.email?.trim() ?? "" }
                : {};
          // The hosted page gives the user the interaction's remaining time to scan and type.
          const ttlSeconds = Math.max(60, Math.floor((scene.interaction.expiresAt - ctx.clock.now()) / 1000));
          const sent = await ctx.mfa.sendEnrollFactorRequest(
            // An enrolment needs no session: only a reset of a factor reads it.
            { ...subject, sessionId: "" },
            { factorType, profile },
            { ttlSeconds },
          );
          const enrolment: PendingEnrolment = {
            factorType,
            enrollmentToken: sent.enrollmentToken,
            ...(sent.otpData
              ? {
                  otpData: {
                    qrCodeUri: sent.otpData.qrCodeUri,
                    qrCodeDataUrl: sent.otpData.qrCodeDataUrl,
                    recoveryCode: sent.otpData.recoveryCode,
                  },
                }
              : {}),
            ...(factorType === "SMS" ? { to: profile.phoneNumber } : {}),
            ...(factorType === "EMAIL" ? { to: profile.email } : {}),
          };
          await deps.oidc.interactions.saveMfaStep(scene.interaction.uid, { ...step, enrolment });
          return continueTo(reply, pageLink(request, scene.interaction.uid, `/mfa?factor=${factor}`));
        } catch (err) {
          return showEnrol(deps, request, reply, scene, step, { kind: factor, error: formError(err) });
        }
      },
    );

    app.post<{ Params: UidParams; Body: MfaEnrolForm }>(
      "/interaction/:uid/mfa/enrol",
      { ...protect, schema: schema(MfaEnrolForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = stepIn(scene, "enrol");
        const pending = step.enrolment;
        if (!pending) throw new PageError("MFA_NO_STEP", 400);
        const kind = KIND_OF[pending.factorType];
        try {
          const code = request.body.code?.trim() ?? "";
          if (!code) throw new PageError("CODE_WRONG", 400);
          await ctx.mfa.enrollFactor(
            { ...subjectOf(request, scene, step), sessionId: "" },
            {
              factorType: pending.factorType,
              enrollmentToken: pending.enrollmentToken,
              enrollmentData: { passCode: code },
            },
          );
        } catch (err) {
          if (err instanceof ApiError && err.key === "MFA_ENROLLMENT_TOKEN_INVALID") {
            // Expired or spent: start again (the step forgets the dead enrolment).
            const { enrolment: _dead, ...rest } = step;
            await deps.oidc.interactions.saveMfaStep(scene.interaction.uid, rest);
            return showEnrol(deps, request, reply, scene, rest, { kind, error: err });
          }
          return showEnrol(deps, request, reply, scene, step, { kind, error: formError(err) });
        }
        const second = kind === "otp" ? "otp" : kind === "sms" ? "sms" : "email";
        if (!pending.otpData) return finishSignIn(deps, request, reply, scene, { ...step, second });
        // An authenticator came with a recovery code: shown now, once, before the sign-in goes on.
        await deps.oidc.interactions.saveMfaStep(scene.interaction.uid, {
          userId: step.userId,
          method: step.method,
          phase: "recovery",
          second,
        });
        return showRecovery(deps, request, reply, scene, pending.otpData.recoveryCode);
      },
    );

    app.post<{ Params: UidParams; Body: CsrfOnlyForm }>(
      "/interaction/:uid/mfa/continue",
      { ...protect, schema: schema(CsrfOnlyForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = stepIn(scene, "recovery");
        if (!step.second) throw new PageError("MFA_NO_STEP", 400);
        await rememberDevice(reply, scene, step);
        return finishSignIn(deps, request, reply, scene, { ...step, second: step.second });
      },
    );
  };
}
