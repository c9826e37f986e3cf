import type { VerifyResetPasswordRequestDto } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppCall } from "../../services/profile/index.js";
import { classify, errorText, PageError } from "../error-page.js";
import { type Channel, PageQuery, ResetForm, UidParams } from "../forms.js";
import { sendPage } from "../frame.js";
import { sendPageCode } from "../send-code.js";
import {
  formHandler,
  frameOf,
  interactionPath,
  loadScene,
  metaOf,
  type PageDeps,
  type Scene,
} from "./shared.js";

interface ForgotView {
  channel?: Channel;
  values?: { phone?: string; email?: string };
  error?: unknown;
  codeSent?: boolean;
  done?: boolean;
}

/** Forgot password: a CHANNEL_RESET_PASSWORD code and the new password, through the profile service's flow. */
async function showForgot(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  view: ForgotView,
) {
  const uid = scene.interaction.uid;
  const asked = (request.query as PageQuery | undefined)?.method;
  const channel: Channel = view.channel ?? (asked === "email" ? "email" : "sms");
  const frame = frameOf(
    deps,
    request,
    reply,
    scene,
    interactionPath(uid, `/forgot-password?method=${channel}`),
  );
  const t = frame.t;
  return sendPage(
    reply,
    "forgot-password",
    frame,
    {
      channel,
      done: view.done === true,
      tabs: (["sms", "email"] as const).map((c) => ({
        label: c === "sms" ? t.signIn.phoneLabel : t.signIn.emailLabel,
        href: frame.link(interactionPath(uid, `/forgot-password?method=${c}`)),
        current: c === channel,
      })),
      values: { phone: view.values?.phone ?? "", email: view.values?.email ?? "" },
      error: view.error ? errorText(frame.t, view.error) : undefined,
      notice: view.codeSent ? t.notice.codeSent : undefined,
      actions: {
        submit: frame.link(interactionPath(uid, "/forgot-password")),
        sendCode: frame.link(interactionPath(uid, "/forgot-password/send-code")),
      },
      links: { signIn: frame.link(interactionPath(uid, "?method=password")) },
    },
    { status: view.error ? classify(view.error).statusCode : 200 },
  );
}

/** What the form held, shown again with an error or a notice. */
const refill = ({ channel, phone, email }: ResetForm): ForgotView => ({ channel, values: { phone, email } });

function appCall(request: FastifyRequest, scene: Scene): AppCall {
  return { poolId: scene.scope.pool.id, settings: scene.scope.settings, meta: metaOf(request, scene) };
}

function verifyRequest(body: ResetForm): VerifyResetPasswordRequestDto {
  const passCode = body.code?.trim() ?? "";
  if (!passCode) throw new PageError("CODE_WRONG", 400);
  return body.channel === "sms"
    ? {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: { phoneNumber: body.phone?.trim() ?? "", passCode },
      }
    : { verifyMethod: "EMAIL_PASSCODE", emailPassCodePayload: { email: body.email?.trim() ?? "", passCode } };
}

export function forgotPasswordRoutes(deps: PageDeps) {
  const { ctx } = deps;
  return async (app: FastifyInstance) => {
    const protect = { preHandler: app.csrfProtection };

    app.get<{ Params: UidParams; Querystring: PageQuery }>(
      "/interaction/:uid/forgot-password",
      { schema: { hide: true, params: UidParams, querystring: PageQuery } },
      async (request, reply) =>
        showForgot(deps, request, reply, await loadScene(deps, request.params.uid, "login"), {}),
    );

    app.post<{ Params: UidParams; Body: ResetForm }>(
      "/interaction/:uid/forgot-password/send-code",
      { ...protect, schema: { hide: true, params: UidParams, body: ResetForm } },
      formHandler(deps, "login", showForgot, refill, async (scene, request, reply) => {
        const { channel, phone, email } = request.body;
        // Enumeration-free: an unknown phone or email gets the same answer and no message.
        const kind = channel === "sms" ? "sms" : "email";
        const to = (kind === "sms" ? phone : email)?.trim() ?? "";
        await sendPageCode(ctx, scene.scope, request.ip, kind, "CHANNEL_RESET_PASSWORD", to);
        return showForgot(deps, request, reply, scene, { ...refill(request.body), codeSent: true });
      }),
    );

    app.post<{ Params: UidParams; Body: ResetForm }>(
      "/interaction/:uid/forgot-password",
      { ...protect, schema: { hide: true, params: UidParams, body: ResetForm } },
      formHandler(deps, "login", showForgot, refill, async (scene, request, reply) => {
        const password = request.body.password ?? "";
        const call = appCall(request, scene);
        // The policy first: a refused password must not spend the code.
        ctx.passwords.assertPolicy(password, scene.scope.settings);
        const { passwordResetToken } = await ctx.profile.verifyResetPasswordRequest(
          call,
          verifyRequest(request.body),
        );
        await ctx.profile.resetPassword(call, { passwordResetToken, password });
        return showForgot(deps, request, reply, scene, { ...refill(request.body), done: true });
      }),
    );
  };
}
