import type { SignUpRequest } from "@gatehouse/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { classify, errorText, PageError } from "../error-page.js";
import { PageQuery, SignUpForm, UidParams } from "../forms.js";
import { sendPage } from "../frame.js";
import { sendPageCode } from "../send-code.js";
import { afterFirstFactor } from "./second-factor.js";
import {
  formHandler,
  frameOf,
  interactionPath,
  loadScene,
  metaOf,
  type PageDeps,
  redirectOrigins,
  type Scene,
} from "./shared.js";

/** The page's sign-up methods, by the application's `registerConfig.enabledBasicRegisterMethods`. */
type SignUpMethod = SignUpForm["method"];
const BY_CONFIG: Record<string, SignUpMethod> = {
  EMAIL_PASSWORD: "email-password",
  PHONE_CODE: "phone-code",
  EMAIL_CODE: "email-code",
};

function signUpMethods(scene: Scene): SignUpMethod[] {
  if (scene.scope.settings.registerDisabled) return [];
  return scene.app.registerConfig.enabledBasicRegisterMethods.flatMap((m) =>
    BY_CONFIG[m] ? [BY_CONFIG[m]] : [],
  );
}

function pickSignUpMethod(scene: Scene, asked: string | undefined): SignUpMethod | undefined {
  const methods = signUpMethods(scene);
  if (asked && (methods as string[]).includes(asked)) return asked as SignUpMethod;
  const preferred =
    scene.app.registerConfig.defaultRegisterMethod === "PASSWORD" ? "email-password" : "phone-code";
  return methods.includes(preferred) ? preferred : methods[0];
}

interface SignUpView {
  method?: SignUpMethod;
  values?: { phone?: string; email?: string };
  error?: unknown;
  codeSent?: boolean;
}

async function showSignUp(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  view: SignUpView,
) {
  const uid = scene.interaction.uid;
  const method = view.method ?? pickSignUpMethod(scene, (request.query as PageQuery | undefined)?.method);
  const frame = frameOf(
    deps,
    request,
    reply,
    scene,
    interactionPath(uid, `/sign-up${method ? `?method=${method}` : ""}`),
  );
  const t = frame.t;
  const labels: Record<SignUpMethod, string> = {
    "email-password": t.signUp.emailPassword,
    "phone-code": t.signUp.phoneCode,
    "email-code": t.signUp.emailCode,
  };
  return sendPage(
    reply,
    "sign-up",
    frame,
    {
      appName: scene.interaction.appName,
      method,
      tabs: signUpMethods(scene).map((m) => ({
        label: labels[m],
        href: frame.link(interactionPath(uid, `/sign-up?method=${m}`)),
        current: m === method,
      })),
      values: { phone: view.values?.phone ?? "", email: view.values?.email ?? "" },
      error: view.error ? errorText(frame.t, view.error) : undefined,
      notice: view.codeSent ? t.notice.codeSent : undefined,
      actions: {
        submit: frame.link(interactionPath(uid, "/sign-up")),
        sendCode: frame.link(interactionPath(uid, "/sign-up/send-code")),
      },
      links: { signIn: frame.link(interactionPath(uid)) },
    },
    { status: view.error ? classify(view.error).statusCode : 200, formOrigins: redirectOrigins(scene) },
  );
}

/** What the form held, shown again with an error or a notice. */
const refill = ({ method, phone, email }: SignUpForm): SignUpView => ({ method, values: { phone, email } });

function assertEnabled(scene: Scene, method: SignUpMethod): void {
  if (!signUpMethods(scene).includes(method)) throw new PageError("REGISTER_DISABLED", 403);
}

/** The sign-up service's request for a filled form. */
function signUpRequest(body: SignUpForm): SignUpRequest {
  const trim = (v: string | undefined) => v?.trim() ?? "";
  if (body.method === "email-password")
    return {
      connection: "PASSWORD",
      passwordPayload: { email: trim(body.email), password: body.password ?? "" },
    };
  const passCode = trim(body.code);
  if (!passCode) throw new PageError("CODE_WRONG", 400);
  return body.method === "phone-code"
    ? { connection: "PASSCODE", passCodePayload: { phone: trim(body.phone), passCode } }
    : { connection: "PASSCODE", passCodePayload: { email: trim(body.email), passCode } };
}

export function signUpRoutes(deps: PageDeps) {
  const { ctx } = deps;
  return async (app: FastifyInstance) => {
    const protect = { preHandler: app.csrfProtection };

    app.get<{ Params: UidParams; Querystring: PageQuery }>(
      "/interaction/:uid/sign-up",
      { schema: { hide: true, params: UidParams, querystring: PageQuery } },
      async (request, reply) =>
        showSignUp(deps, request, reply, await loadScene(deps, request.params.uid, "login"), {}),
    );

    app.post<{ Params: UidParams; Body: SignUpForm }>(
      "/interaction/:uid/sign-up/send-code",
      { ...protect, schema: { hide: true, params: UidParams, body: SignUpForm } },
      formHandler(deps, "login", showSignUp, refill, async (scene, request, reply) => {
        const { method, phone, email } = request.body;
        assertEnabled(scene, method);
        const kind = method === "phone-code" ? "sms" : "email";
        const to = (kind === "sms" ? phone : email)?.trim() ?? "";
        await sendPageCode(ctx, scene.scope, request.ip, kind, "CHANNEL_REGISTER", to);
        return showSignUp(deps, request, reply, scene, { ...refill(request.body), codeSent: true });
      }),
    );

    app.post<{ Params: UidParams; Body: SignUpForm }>(
      "/interaction/:uid/sign-up",
      { ...protect, schema: { hide: true, params: UidParams, body: SignUpForm } },
      formHandler(deps, "login", showSignUp, refill, async (scene, request, reply) => {
        const { method } = request.body;
        assertEnabled(scene, method);
        const user = await ctx.auth.signUp(scene.scope, signUpRequest(request.body), metaOf(request, scene));
        // A new account has no factor: it goes on unless one must be enrolled (docs/mfa.md).
        return afterFirstFactor(deps, request, reply, scene, {
          userId: user.userId,
          method: method === "phone-code" ? "sms" : method === "email-code" ? "email" : "password",
        });
      }),
    );
  };
}
