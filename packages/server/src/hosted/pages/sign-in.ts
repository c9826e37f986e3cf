import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { randomBase64url } from "../../lib/ids.js";
import { interactionBinding } from "../../services/passkeys/index.js";
import { classify, errorText, PageError } from "../error-page.js";
import { type Channel, CodeForm, PageQuery, PasskeyForm, PasswordForm, UidParams } from "../forms.js";
import { type Frame, sendPage } from "../frame.js";
import { sendPageCode } from "../send-code.js";
import { authenticationOf } from "../webauthn-form.js";
import { consentPage } from "./consent.js";
import { extIdpButtons } from "./ext-idp.js";
import { browserCookie } from "./ext-idp-cookie.js";
import { afterFirstFactor, startStepUp } from "./second-factor.js";
import {
  continueTo,
  formError,
  frameOf,
  interactionPath,
  loadScene,
  metaOf,
  type PageDeps,
  redirectOrigins,
  type Scene,
} from "./shared.js";
import {
  accountKind,
  accountLabel,
  enabledMethods,
  type PageMethod,
  passwordKinds,
  pickMethod,
} from "./sign-in-methods.js";

interface SignInView {
  method?: PageMethod;
  values?: { account?: string; phone?: string; email?: string };
  error?: unknown;
  codeSent?: boolean;
}

/** The sign-in page: password, SMS code or email code, as the application enables them. */
async function showSignIn(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: Scene,
  view: SignInView,
): Promise<FastifyReply> {
  const { interaction, app, scope } = scene;
  const uid = interaction.uid;
  const method = view.method ?? pickMethod(app, (request.query as PageQuery | undefined)?.method);
  const frame: Frame = frameOf(
    deps,
    request,
    reply,
    scene,
    interactionPath(uid, method ? `?method=${method}` : ""),
  );
  const t = frame.t;
  const kinds = passwordKinds(app);
  const hint = interaction.loginHint ?? "";
  const values = {
    account: view.values?.account ?? hint,
    phone: view.values?.phone ?? (/^\+?[0-9 ()-]+$/.test(hint) ? hint : ""),
    email: view.values?.email ?? (hint.includes("@") ? hint : ""),
  };
  const labels: Record<PageMethod, string> = {
    password: t.signIn.password,
    sms: t.signIn.sms,
    email: t.signIn.email,
  };
  const registerOpen =
    !scope.settings.registerDisabled && app.registerConfig.enabledBasicRegisterMethods.length > 0;
  const status = view.error ? classify(view.error).statusCode : 200;
  const pending = await deps.ctx.identities.roundTrips.pendingLink(uid, browserCookie(deps, request));
  const pendingEmail = pending && (JSON.parse(pending.row.pending ?? "{}") as { email?: string }).email;
  // Every sign-in page offers a passkey: options for a discoverable credential, bound to this
  // interaction, and the nonce that lets this response's scripts run (docs/passkeys.md).
  const started = await deps.ctx.passkeys.startSignIn(scope.pool.id, interactionBinding(uid));
  const nonce = randomBase64url(16);
  return sendPage(
    reply,
    "sign-in",
    frame,
    {
      appName: interaction.appName,
      method,
      tabs: enabledMethods(app).map((m) => ({
        label: labels[m],
        href: frame.link(interactionPath(uid, `?method=${m}`)),
        current: m === method,
      })),
      accountLabel: accountLabel(t, kinds),
      extIdps: await extIdpButtons(deps, frame, scene),
      linkFirst: pending
        ? frame.fill(t.signIn.linkFirst, { email: pendingEmail ?? "", name: pending.conn.display_name })
        : undefined,
      values,
      codeSent: view.codeSent === true,
      error: view.error ? errorText(frame.t, view.error) : undefined,
      notice: view.codeSent ? t.notice.codeSent : undefined,
      actions: {
        password: frame.link(interactionPath(uid, "/password")),
        code: frame.link(interactionPath(uid, "/code")),
        sendCode: frame.link(interactionPath(uid, "/send-code")),
        abort: frame.link(interactionPath(uid, "/abort")),
        passkey: frame.link(interactionPath(uid, "/passkey")),
      },
      passkey: { ticket: started.ticket, options: JSON.stringify(started.authenticationOptions), nonce },
      links: {
        forgot:
          app.brandingConfig.showForgetPasswordButton && method === "password"
            ? frame.link(interactionPath(uid, "/forgot-password"))
            : undefined,
        signUp: registerOpen ? frame.link(interactionPath(uid, "/sign-up")) : undefined,
      },
    },
    { status, formOrigins: redirectOrigins(scene), scriptNonce: nonce },
  );
}

/** The code sign-in's target: the channel must be enabled and its field filled. */
function codeTarget(scene: Scene, channel: Channel, body: { phone?: string; email?: string }) {
  const methods = enabledMethods(scene.app);
  if (!methods.includes(channel)) throw new PageError("METHOD_NOT_ENABLED", 400);
  const value = (channel === "sms" ? body.phone : body.email)?.trim() ?? "";
  if (!value) throw new PageError(channel === "sms" ? "INVALID_PHONE" : "INVALID_EMAIL", 400);
  return value;
}

export function signInRoutes(deps: PageDeps) {
  const { ctx } = deps;
  return async (app: FastifyInstance) => {
    const protect = { preHandler: app.csrfProtection };

    app.get<{ Params: UidParams; Querystring: PageQuery }>(
      "/interaction/:uid",
      { schema: { hide: true, params: UidParams, querystring: PageQuery } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid);
        if (scene.interaction.kind === "consent") return consentPage(deps, request, reply, scene);
        return (
          (await startStepUp(deps, request, reply, scene)) ?? showSignIn(deps, request, reply, scene, {})
        );
      },
    );

    app.post<{ Params: UidParams; Body: PasswordForm }>(
      "/interaction/:uid/password",
      { ...protect, schema: { hide: true, params: UidParams, body: PasswordForm } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const account = request.body.account ?? "";
        try {
          const kind = accountKind(account, passwordKinds(scene.app));
          if (!kind) throw new PageError("METHOD_NOT_ENABLED", 400);
          const user = await ctx.auth.authenticate(
            scene.scope,
            {
              connection: "PASSWORD",
              passwordPayload: { [kind]: account, password: request.body.password ?? "" },
            },
            metaOf(request, scene),
          );
          return await afterFirstFactor(deps, request, reply, scene, {
            userId: user.id,
            method: "password",
            passkeyCapable: request.body.webauthn === "platform",
          });
        } catch (err) {
          return showSignIn(deps, request, reply, scene, {
            method: "password",
            values: { account },
            error: formError(err),
          });
        }
      },
    );

    app.post<{ Params: UidParams; Body: CodeForm }>(
      "/interaction/:uid/send-code",
      { ...protect, schema: { hide: true, params: UidParams, body: CodeForm } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const { channel } = request.body;
        const values = { phone: request.body.phone, email: request.body.email };
        try {
          const to = codeTarget(scene, channel, request.body);
          await sendPageCode(ctx, scene.scope, request.ip, channel, "CHANNEL_LOGIN", to);
          return showSignIn(deps, request, reply, scene, { method: channel, values, codeSent: true });
        } catch (err) {
          return showSignIn(deps, request, reply, scene, { method: channel, values, error: formError(err) });
        }
      },
    );

    app.post<{ Params: UidParams; Body: CodeForm }>(
      "/interaction/:uid/code",
      { ...protect, schema: { hide: true, params: UidParams, body: CodeForm } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        const { channel } = request.body;
        const values = { phone: request.body.phone, email: request.body.email };
        try {
          const to = codeTarget(scene, channel, request.body);
          const passCode = request.body.code?.trim() ?? "";
          if (!passCode) throw new PageError("CODE_WRONG", 400);
          const user = await ctx.auth.authenticate(
            scene.scope,
            {
              connection: "PASSCODE",
              passCodePayload: channel === "sms" ? { phone: to, passCode } : { email: to, passCode },
            },
            metaOf(request, scene),
          );
          return await afterFirstFactor(deps, request, reply, scene, { userId: user.id, method: channel });
        } catch (err) {
          return showSignIn(deps, request, reply, scene, { method: channel, values, error: formError(err) });
        }
      },
    );

    app.post<{ Params: UidParams; Body: PasskeyForm }>(
      "/interaction/:uid/passkey",
      { ...protect, schema: { hide: true, params: UidParams, body: PasskeyForm } },
      async (request, reply) => {
        const scene = await loadScene(deps, request.params.uid, "login");
        try {
          const credential = authenticationOf(request.body.credential);
          const { user, factor } = await ctx.passkeys.authenticate(
            scene.scope,
            {
              ticket: request.body.ticket ?? "",
              authenticationCredential: credential,
              binding: interactionBinding(scene.interaction.uid),
            },
            metaOf(request, scene),
          );
          return await afterFirstFactor(deps, request, reply, scene, { ...factor, userId: user.id });
        } catch (err) {
          return showSignIn(deps, request, reply, scene, { error: formError(err) });
        }
      },
    );

    app.post<{ Params: UidParams }>(
      "/interaction/:uid/abort",
      { ...protect, schema: { hide: true, params: UidParams } },
      async (request, reply) => {
        const { redirectTo } = await deps.oidc.interactions.abort(request.params.uid);
        return continueTo(reply, redirectTo);
      },
    );
  };
}
