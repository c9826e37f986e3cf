import type { FastifyRequest } from "fastify";
import type { Context } from "../../context.js";
import type { AppScope } from "../../services/auth/index.js";
import type { BrowserSession } from "../../services/oidc/browser-sessions.js";
import type { SelfService } from "../../services/profile/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import type { AccountForm } from "./forms.js";

/** The signed-in browser behind an account page: its session, user, application and pool. */
export interface AccountScene {
  session: BrowserSession;
  user: UserRow;
  scope: AppScope;
  /** The same caller the V3 self-service routes build from an access token. */
  who: SelfService;
  /** Signed in (or re-authenticated) within the pool's `accountReauthMaxAge`. */
  fresh: boolean;
}

/** What one section shows after an action: an error (next to a field or above the form), values kept, a step reached. */
export interface SectionState {
  error?: unknown;
  /** field name → the error's words, shown next to that field */
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
  /** A key of `t.account.notices`. */
  notice?: string;
  /** Buttons just used to send a code → seconds until another may be asked for. */
  cooldown?: Record<string, number>;
  [step: string]: unknown;
}

/**
 * An action either ends with a notice (303 back to the page), shows the section in a new state, or
 * sends the browser on (a round trip to an identity provider).
 */
export type ActionOutcome = { done: string } | { state: SectionState } | { redirect: string };

export interface ActionInput {
  ctx: Context;
  scene: AccountScene;
  body: AccountForm;
  request: FastifyRequest;
}

export interface AccountAction {
  /** Password, phone, email, MFA, delete: needs a recent sign-in (docs/account-page.md §Re-authentication). */
  sensitive: boolean;
  run(input: ActionInput): Promise<ActionOutcome>;
  /** The step to show again when `run` refused (a wrong code of a pending enrolment). */
  retry?(input: ActionInput): SectionState;
}

/**
 * One section of the account page: an anchor, a template partial (`account-<id>.eta`), what it
 * shows, and the forms it answers (`POST /account/<id>/<action>`).
 */
export interface AccountSection {
  id: string;
  /** The section's forms wait behind "confirm it is you" when the sign-in is not recent. */
  sensitive: boolean;
  load(ctx: Context, scene: AccountScene): Promise<Record<string, unknown>>;
  actions: Record<string, AccountAction>;
  /** The field an error belongs next to, if any. */
  fieldOf?(err: unknown): string | undefined;
}
