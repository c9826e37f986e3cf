import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../../context.js";
import { ApiError } from "../../errors.js";
import { classify, PageError } from "../error-page.js";
import type { Frame, FrameMaker } from "../frame.js";
import { sendPage } from "../frame.js";
import type { Locale } from "../locale.js";
import type { Texts } from "../texts/index.js";
import type { AccountQuery } from "./forms.js";
import { ACCOUNT_PATH } from "./scene.js";
import { SECTIONS } from "./sections/index.js";
import type { AccountScene, SectionState } from "./types.js";

/** What the page shows after an action: one section's state. */
export interface AccountView {
  section?: string;
  state?: SectionState;
  /** A key of `t.account.notices`, after a 303 back (`?done=`). */
  done?: string;
  status?: number;
}

/** The words for an error: the pages' own sentence for its key, else the registry's in this language. */
export function words(t: Texts, locale: Locale, err: unknown): string {
  if (typeof err === "string") return t.errors[err] ?? t.errors.OTHER ?? "";
  const key = classify(err).textKey;
  if (key !== "OTHER") return t.errors[key] ?? t.errors.OTHER ?? "";
  if (err instanceof ApiError) return err.messageIn(locale);
  return t.errors.OTHER ?? "";
}

/** A time as the page shows it: date and time in the page's language, in UTC (the server knows no time zone of the user's). */
function whenOf(locale: Locale) {
  const format = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  });
  return (v: number | string) => {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? "" : `${format.format(d)} UTC`;
  };
}

/** The page's own address (a fragment kept last), with the language and application of its query. */
export function accountLink(frame: Frame, rest = ""): string {
  const [path = "", hash] = `${ACCOUNT_PATH}${rest}`.split("#");
  return `${frame.link(path)}${hash ? `#${hash}` : ""}`;
}

/** The account page's frame: its links and forms keep `ui_locales` and `app_id` (docs/account-page.md §Signing in). */
export function accountFrame(
  makeFrame: FrameMaker,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: AccountScene,
): Frame {
  const appId = (request.query as AccountQuery | undefined)?.app_id;
  const withApp = (url: string) =>
    appId ? `${url}${url.includes("?") ? "&" : "?"}app_id=${encodeURIComponent(appId)}` : url;
  const frame = makeFrame(request, reply, {
    poolName: scene.scope.pool.name,
    settings: scene.scope.settings,
    pagePath: withApp(ACCOUNT_PATH),
  });
  return { ...frame, link: (path) => withApp(frame.link(path)) };
}

/** Renders the account page: every section, the one acted on in its new state. */
export async function showAccount(
  ctx: Context,
  makeFrame: FrameMaker,
  request: FastifyRequest,
  reply: FastifyReply,
  scene: AccountScene,
  view: AccountView = {},
): Promise<FastifyReply> {
  const frame = accountFrame(makeFrame, request, reply, scene);
  const t = frame.t;
  const sections = [];
  for (const s of SECTIONS) {
    const state = view.section === s.id ? (view.state ?? {}) : {};
    const fieldErrors: Record<string, string> = {};
    for (const [f, key] of Object.entries(state.fieldErrors ?? {}))
      fieldErrors[f] = words(t, frame.locale, key);
    let error: string | undefined;
    if (state.error !== undefined) {
      const at = s.fieldOf?.(state.error);
      if (at) fieldErrors[at] = words(t, frame.locale, state.error);
      else error = words(t, frame.locale, state.error);
    }
    sections.push({
      id: s.id,
      locked: s.sensitive && !scene.fresh,
      data: await s.load(ctx, scene),
      state,
      error,
      fieldErrors,
      notice: state.notice ? t.account.notices[state.notice] : undefined,
      action: (name: string) => accountLink(frame, `/${s.id}/${name}`),
    });
  }
  const status =
    view.status ?? (view.state?.error !== undefined ? classify(view.state.error).statusCode : 200);
  return sendPage(
    reply,
    "account",
    frame,
    {
      user: {
        display:
          scene.user.nickname ??
          scene.user.name ??
          scene.user.email ??
          scene.user.phone ??
          scene.user.username ??
          "",
      },
      sections,
      fresh: scene.fresh,
      doneNotice: view.done ? t.account.notices[view.done] : undefined,
      when: whenOf(frame.locale),
      links: {
        home: accountLink(frame),
        reauth: (section: string) => accountLink(frame, `/reauth?section=${section}`),
        signOut: accountLink(frame, "/sign-out"),
      },
    },
    { status, scripts: true },
  );
}

/** A refused or hostile action changes nothing and says so; unknown section or action is "no such page". */
export function notFound(): never {
  throw new PageError("NOT_FOUND", 404);
}
