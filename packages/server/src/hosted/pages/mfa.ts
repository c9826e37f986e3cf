import type { FastifyInstance, FastifyReply } from "fastify";
import { ApiError } from "../../errors.js";
import type { FactorType } from "../../services/mfa/deps.js";
import type { MfaStep, PendingEnrolment } from "../../services/oidc/interactions.js";
import { interactionBinding } from "../../services/passkeys/index.js";
import { PageError } from "../error-page.js";
import {
  CsrfOnlyForm,
  MfaEnrolForm,
  MfaEnrolStartForm,
  MfaPasskeyForm,
  MfaQuery,
  MfaSendForm,
  MfaVerifyForm,
  UidParams,
} from "../forms.js";
import { authenticationOf } from "../webauthn-form.js";
import {
  frameFor,
  KIND_OF,
  masked,
  notice,
  PROOF_OF,
  showEnrol,
  showProve,
  showRecovery,
} from "./mfa-views.js";
import {
  finishSignIn,
  pageLink,
  passkeyOffered,
  rememberCookieName,
  rememberDeviceDays,
  stepIn,
  subjectOf,
} from "./second-factor.js";
import { continueTo, formError, loadScene, type PageDeps, type Scene } from "./shared.js";

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
        // Another browser's step-up shows nothing of the user: its sign-in page is an ordinary sign-in.
        if (step.stepUp && !(await stepIn(deps, request, scene, step.phase).catch(() => undefined))) {
          return continueTo(reply, pageLink(request, scene.interaction.uid, ""));
        }
        if (step.phase === "prove") return showProve(deps, request, reply, scene, step, {});
        if (step.phase === "enrol") return showEnrol(deps, request, reply, scene, step, {});
        if (step.phase === "passkey")
          return continueTo(reply, pageLink(request, scene.interaction.uid, "/passkey-prompt"));
        return showRecovery(deps, request, reply, scene, undefined);
      },
    );

    app.post<{ Params: UidParams; Body: MfaVerifyForm }>(
      "/interaction/:uid/mfa/verify",
      { ...protect, schema: schema(MfaVerifyForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = await stepIn(deps, request, scene, "prove");
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
            ...(step.stepUp ? { stepUp: true } : {}),
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

    // A passkey of the user as the second factor (docs/mfa.md §Passkey): the ceremony the page
    // started, checked by the passkeys service, counted and recorded by the MFA service.
    app.post<{ Params: UidParams; Body: MfaPasskeyForm }>(
      "/interaction/:uid/mfa/passkey",
      { ...protect, schema: schema(MfaPasskeyForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = await stepIn(deps, request, scene, "prove");
        const { poolId, uid } = scene.interaction;
        try {
          if (!(await passkeyOffered(deps, poolId, step.userId, step.method))) {
            throw new ApiError("MFA_FACTOR_NOT_FOUND");
          }
          const credential = authenticationOf(request.body.credential);
          await ctx.mfa.verifyOutsideFactor(subjectOf(request, scene, step), {
            kind: "PASSKEY",
            check: async () => {
              await ctx.passkeys.verifySecondFactor(poolId, step.userId, {
                ticket: request.body.ticket ?? "",
                credential,
                binding: interactionBinding(uid),
              });
            },
          });
          const done: MfaStep = {
            ...step,
            second: "hwk",
            ...(request.body.remember === "on" ? { remember: true } : {}),
          };
          await rememberDevice(reply, scene, done);
          return await finishSignIn(deps, request, reply, scene, { ...step, second: "hwk" });
        } catch (err) {
          return showProve(deps, request, reply, scene, step, { kind: "passkey", error: formError(err) });
        }
      },
    );

    app.post<{ Params: UidParams; Body: MfaSendForm }>(
      "/interaction/:uid/mfa/send",
      { ...protect, schema: schema(MfaSendForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = await stepIn(deps, request, scene, "prove");
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
        const step = await stepIn(deps, request, scene, "enrol");
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
        const step = await stepIn(deps, request, scene, "enrol");
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
          ...(step.stepUp ? { stepUp: true } : {}),
        });
        return showRecovery(deps, request, reply, scene, pending.otpData.recoveryCode);
      },
    );

    app.post<{ Params: UidParams; Body: CsrfOnlyForm }>(
      "/interaction/:uid/mfa/continue",
      { ...protect, schema: schema(CsrfOnlyForm) },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const step = await stepIn(deps, request, scene, "recovery");
        if (!step.second) throw new PageError("MFA_NO_STEP", 400);
        await rememberDevice(reply, scene, step);
        return finishSignIn(deps, request, reply, scene, { ...step, second: step.second });
      },
    );
  };
}
