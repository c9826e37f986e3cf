import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../../errors.js";
import type { ReauthMethod } from "../../services/account/index.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import { classify, PageError } from "../error-page.js";
import { sendPage } from "../frame.js";
import type { PageDeps } from "../pages/shared.js";
import { continueTo, formError } from "../pages/shared.js";
import { AccountForm, AccountParams, AccountQuery, field } from "./forms.js";
import { accountFrame, accountLink, notFound, showAccount, words } from "./page.js";
import { ACCOUNT_PATH, loadAccount, signInFirst } from "./scene.js";
import { sectionById } from "./sections/index.js";
import type { AccountScene, SectionState } from "./types.js";

/** Fields never written back into a re-shown form. */
const SECRET_FIELDS = new Set([
  "_csrf",
  "password",
  "oldPassword",
  "newPassword",
  "secret",
  "code",
  "oldCode",
  "newCode",
  "token",
  "ticket",
  "credential",
]);

function keptValues(body: AccountForm): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (!SECRET_FIELDS.has(k) && typeof v === "string") out[k] = v;
  return out;
}

/** Back to the page after a change (303: a reload does not post again), with the notice and the language kept. */
function backTo(reply: FastifyReply, request: FastifyRequest, section: string, done: string) {
  const q = request.query as AccountQuery;
  const params = new URLSearchParams({ done });
  if (q.ui_locales) params.set("ui_locales", q.ui_locales);
  if (q.app_id) params.set("app_id", q.app_id);
  return continueTo(reply, `${ACCOUNT_PATH}?${params}#${section}`);
}

/** A POST without a signed-in browser changes nothing: the error page says to sign in. */
async function requireScene(deps: PageDeps, request: FastifyRequest): Promise<AccountScene> {
  const scene = await loadAccount(deps.ctx, request);
  if (!scene) throw new PageError("ACCOUNT_SIGNED_OUT", 401);
  return scene;
}

const REAUTH_METHODS: ReauthMethod[] = ["password", "otp", "sms", "email"];

/**
 * The hosted account page (docs/account-page.md): `GET /account` and one
 * `POST /account/<section>/<action>` per form, plus re-authentication and sign-out. A client of
 * the services the V3 API calls; every POST carries the CSRF token and changes nothing when refused.
 */
export function accountRoutes(deps: PageDeps) {
  const { ctx } = deps;

  async function showReauth(
    request: FastifyRequest,
    reply: FastifyReply,
    scene: AccountScene,
    view: { section: string; form?: string; error?: unknown; codeSent?: ReauthMethod; status?: number },
  ) {
    const frame = accountFrame(deps.frame, request, reply, scene);
    const methods = await ctx.account.reauth.methods(scene.user);
    return sendPage(
      reply,
      "account-reauth",
      frame,
      {
        section: view.section,
        form: view.form,
        methods,
        codeSent: view.codeSent,
        error: view.error !== undefined ? words(frame.t, frame.locale, view.error) : undefined,
        notice: view.codeSent ? frame.t.notice.codeSent : undefined,
        actions: { prove: accountLink(frame, "/reauth"), send: accountLink(frame, "/reauth/send") },
        links: { back: accountLink(frame, `#${view.form ?? view.section}`) },
      },
      {
        status: view.status ?? (view.error !== undefined ? classify(view.error).statusCode : 200),
        scripts: true,
      },
    );
  }

  const sectionParam = (v: string | undefined) => (v && sectionById(v) ? v : "profile");
  /** A form of that section (its ids start with the section's), else none: back to the section. */
  const formParam = (section: string, v: string | undefined) =>
    v?.startsWith(`${section}-`) ? v : undefined;

  return async (app: FastifyInstance) => {
    const protect = { preHandler: app.csrfProtection };

    app.get<{ Querystring: AccountQuery }>(
      ACCOUNT_PATH,
      { schema: { hide: true, querystring: AccountQuery } },
      async (request, reply) => {
        const scene = await loadAccount(ctx, request);
        if (!scene) return continueTo(reply, await signInFirst(ctx, request.query));
        const done = request.query.done;
        return showAccount(ctx, deps.frame, request, reply, scene, { done });
      },
    );

    app.get<{ Querystring: AccountQuery }>(
      `${ACCOUNT_PATH}/reauth`,
      { schema: { hide: true, querystring: AccountQuery } },
      async (request, reply) => {
        const scene = await loadAccount(ctx, request);
        if (!scene) return continueTo(reply, await signInFirst(ctx, request.query));
        return showReauth(request, reply, scene, { section: sectionParam(request.query.section) });
      },
    );

    app.post<{ Querystring: AccountQuery; Body: AccountForm }>(
      `${ACCOUNT_PATH}/reauth/send`,
      { ...protect, schema: { hide: true, querystring: AccountQuery, body: AccountForm } },
      async (request, reply) => {
        const scene = await requireScene(deps, request);
        const section = sectionParam(request.body.section);
        const form = formParam(section, request.body.form);
        const method = request.body.method === "email" ? "email" : "sms";
        try {
          await ctx.account.reauth.sendCode(scene.who, scene.user, method);
          return await showReauth(request, reply, scene, { section, form, codeSent: method });
        } catch (err) {
          return showReauth(request, reply, scene, { section, form, error: formError(err) });
        }
      },
    );

    app.post<{ Querystring: AccountQuery; Body: AccountForm }>(
      `${ACCOUNT_PATH}/reauth`,
      { ...protect, schema: { hide: true, querystring: AccountQuery, body: AccountForm } },
      async (request, reply) => {
        const scene = await requireScene(deps, request);
        const section = sectionParam(request.body.section);
        const form = formParam(section, request.body.form);
        const method = REAUTH_METHODS.find((m) => m === request.body.method);
        try {
          if (!method) throw new PageError("FORM_INVALID", 400);
          const secret = method === "password" ? (request.body.secret ?? "") : field(request.body.secret);
          await ctx.account.reauth.prove(scene.who, scene.session, scene.user, { method, secret });
          return backTo(reply, request, form ?? section, "reauthenticated");
        } catch (err) {
          return showReauth(request, reply, scene, { section, form, error: formError(err) });
        }
      },
    );

    app.post<{ Querystring: AccountQuery; Body: AccountForm }>(
      `${ACCOUNT_PATH}/sign-out`,
      { ...protect, schema: { hide: true, querystring: AccountQuery, body: AccountForm } },
      async (request, reply) => {
        const scene = await requireScene(deps, request);
        await ctx.oidc.browserSessions.end(scene.session.sessionId, "logout");
        reply.clearCookie(ctx.oidc.browserSessions.cookieName, ctx.oidc.browserSessions.clearCookieOptions());
        const frame = accountFrame(deps.frame, request, reply, scene);
        return sendPage(reply, "account-done", frame, {
          title: frame.t.account.signedOut.title,
          message: frame.t.account.signedOut.message,
          again: accountLink(frame),
        });
      },
    );

    app.post<{ Params: AccountParams; Querystring: AccountQuery; Body: AccountForm }>(
      `${ACCOUNT_PATH}/:section/:action`,
      {
        ...protect,
        schema: { hide: true, params: AccountParams, querystring: AccountQuery, body: AccountForm },
      },
      async (request, reply) => {
        const section = sectionById(request.params.section);
        const action = section?.actions[request.params.action];
        if (!section || !action || !Object.hasOwn(section.actions, request.params.action)) notFound();
        const scene = await requireScene(deps, request);
        // A stale sign-in: nothing runs; the page asks who it is first, then comes back to the section.
        if (action.sensitive && !scene.fresh)
          return showReauth(request, reply, scene, {
            section: section.id,
            form: formParam(section.id, request.body.form),
            error: new ApiError("REAUTH_REQUIRED"),
          });
        const input = { ctx, scene, body: request.body, request };
        let state: SectionState;
        try {
          const outcome = await action.run(input);
          if ("redirect" in outcome) return continueTo(reply, outcome.redirect);
          if ("done" in outcome) {
            if (outcome.done === "deleted") return accountDeleted(request, reply, scene);
            return backTo(reply, request, section.id, outcome.done);
          }
          state = outcome.state;
        } catch (err) {
          // The user deleted since the page read them (docs/behaviour-and-errors.md §1.10): the
          // write that referred to them kept nothing; the page answers as for a browser signed out.
          if (isForeignKeyViolation(err) && !(await loadAccount(ctx, request)))
            throw new PageError("ACCOUNT_SIGNED_OUT", 401);
          const error = formError(err);
          // The MFA service's own freshness rule (five minutes) is stricter than the pool's: ask again.
          if (error instanceof ApiError && error.key === "MFA_FRESH_PROOF_REQUIRED")
            return showReauth(request, reply, scene, {
              section: section.id,
              form: formParam(section.id, request.body.form),
              error,
            });
          state = { ...(action.retry?.(input) ?? {}), error, values: keptValues(request.body) };
        }
        const fresh = (await loadAccount(ctx, request)) ?? scene;
        return showAccount(ctx, deps.frame, request, reply, fresh, { section: section.id, state });
      },
    );

    /** After delete-account: the browser session is over (the service ended every session); the cookie goes too. */
    function accountDeleted(request: FastifyRequest, reply: FastifyReply, scene: AccountScene) {
      reply.clearCookie(ctx.oidc.browserSessions.cookieName, ctx.oidc.browserSessions.clearCookieOptions());
      const frame = accountFrame(deps.frame, request, reply, scene);
      return sendPage(reply, "account-done", frame, {
        title: frame.t.account.deleted.title,
        message: frame.t.account.deleted.message,
      });
    }
  };
}
