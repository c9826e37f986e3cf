import { oidcPaths } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { randomBase64url } from "../../lib/ids.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { InteractionRow } from "../../storage/repos/oidc.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { errorResponse } from "./authorize/respond.js";
import type { AuthorizationRequest } from "./authorize/types.js";
import type { BrowserSessions, CookieOptions, SignInMethod } from "./browser-sessions.js";

/** An interaction lives ten minutes: long enough to type a password and read an SMS. */
export const INTERACTION_TTL_MS = 10 * 60_000;

/** Where the browser goes once the pages have answered: the authorization continues there. */
export const resumePath = (uid: string) => oidcPaths.authorizeResume.replace(":uid", uid);

/** What the hosted pages are shown of a pending sign-in or consent (docs/oidc-provider.md §Interactions). */
export interface Interaction {
  uid: string;
  kind: "login" | "consent";
  poolId: string;
  appId: string;
  appName: string;
  scopes: string[];
  prompt: string[];
  loginHint?: string;
  uiLocales?: string;
  /** The signed-in user, for a consent or a step-up. */
  userId?: string;
  /** A step-up: the browser session a login interaction would give a second factor (docs/mfa.md §Step-up). */
  stepUpSessionId?: string;
  /** The authorization request's `acr_values`. */
  acrValues?: string[];
  /** Set once the first factor passed and a second one is owed (docs/mfa.md §The hosted sign-in step). */
  mfaStep?: MfaStep;
  /** epoch ms */
  expiresAt: number;
}

/**
 * A login past its first factor, remembered server-side in the interaction: who passed it and how,
 * and where the second factor stands — `prove` one of the user's factors, `enrol` one, or
 * `recovery` (enrolled and proved: the new recovery code was shown, the user confirms saving it),
 * or `passkey` (fully signed in; the "add a passkey" prompt is shown before the sign-in ends).
 */
export interface MfaStep {
  userId: string;
  method: SignInMethod;
  phase: "prove" | "enrol" | "recovery" | "passkey";
  /** The second factor's amr once proved (phase `recovery`). */
  second?: "otp" | "sms" | "email" | "hwk";
  /** A step-up: the second factor raises the browser session already signed in (docs/mfa.md §Step-up). */
  stepUp?: boolean;
  /** The user asked to remember this device (set with the cookie when the sign-in finishes). */
  remember?: boolean;
  /**
   * The sign-in page's script found that this browser can create a passkey: a password sign-in may
   * end with the "add a passkey" prompt (phase `passkey`, docs/passkeys.md §The prompt).
   */
  passkeyCapable?: boolean;
  /** An enrolment in progress; sealed at rest (it holds the TOTP secret and the recovery code). */
  enrolment?: PendingEnrolment;
}

export interface PendingEnrolment {
  factorType: "OTP" | "SMS" | "EMAIL";
  enrollmentToken: string;
  otpData?: { qrCodeUri: string; qrCodeDataUrl: string; recoveryCode: string };
  /** Where an SMS / email enrolment's code went, to show. */
  to?: string;
}

/** How a step is stored: the enrolment sealed with the interaction's uid as the row id. */
interface StoredStep extends Omit<MfaStep, "enrolment"> {
  enrolment?: string;
}

/** A pending interaction with the request it holds, for the authorization endpoint's resume. */
export interface StoredInteraction {
  row: InteractionRow;
  request: AuthorizationRequest;
}

export interface InteractionsDeps {
  repos: Repositories;
  clock: Clock;
  browserSessions: BrowserSessions;
  /** Seals an enrolment in progress (docs/security.md). */
  box: SecretBox;
}

const notFound = () => new ApiError("INTERACTION_NOT_FOUND");

/**
 * A write for the interaction's user failed because they were deleted meanwhile
 * (docs/behaviour-and-errors.md §1.10): nothing was kept; answered as a user that does not exist.
 */
function goneAsNotFound(err: unknown): never {
  if (isForeignKeyViolation(err)) throw new ApiError("USER_NOT_FOUND");
  throw err;
}
/** No uid of ours is longer (22 characters); refused before any lookup. */
const MAX_UID_LENGTH = 64;

/**
 * The pause in an authorization request while the hosted pages sign the user in or ask for
 * consent: stored, single use, ten minutes (docs/oidc-provider.md §Interactions). Wired as
 * `ctx.oidc.interactions`; the pages call `find` and one of the `finish…`/`abort`.
 */
export function createInteractions({ repos, clock, browserSessions, box }: InteractionsDeps) {
  function openStep(row: InteractionRow): MfaStep | undefined {
    if (!row.mfa_step) return undefined;
    const stored = JSON.parse(row.mfa_step) as StoredStep;
    const { enrolment, ...rest } = stored;
    return enrolment
      ? { ...rest, enrolment: JSON.parse(box.open("mfa-enrolment", row.uid, enrolment)) as PendingEnrolment }
      : rest;
  }

  function sealStep(uid: string, step: MfaStep): string {
    const { enrolment, ...rest } = step;
    const stored: StoredStep = enrolment
      ? { ...rest, enrolment: box.seal("mfa-enrolment", uid, JSON.stringify(enrolment)) }
      : rest;
    return JSON.stringify(stored);
  }

  async function load(uid: string): Promise<StoredInteraction | undefined> {
    if (typeof uid !== "string" || uid.length === 0 || uid.length > MAX_UID_LENGTH) return undefined;
    const row = await repos.oidc.findInteraction(uid);
    if (!row || row.consumed_at !== null || Number(row.expires_at) <= clock.now()) return undefined;
    return { row, request: JSON.parse(row.request) as AuthorizationRequest };
  }

  /** A pending interaction the pages may still answer (not answered, spent or expired). */
  async function pending(uid: string): Promise<StoredInteraction> {
    const found = await load(uid);
    if (!found || found.row.outcome !== null) throw notFound();
    return found;
  }

  /**
   * Where a refusal goes: straight to the client for query and fragment; through the resume
   * endpoint for form_post and web_message, which must answer with a page of their own.
   */
  async function refuse(found: StoredInteraction, description: string): Promise<{ redirectTo: string }> {
    const { request, row } = found;
    if (request.responseMode === "form_post" || request.responseMode === "web_message") {
      if (!(await repos.oidc.answerInteraction(row.uid, { outcome: "denied" }, clock.now())))
        throw notFound();
      return { redirectTo: resumePath(row.uid) };
    }
    if (!(await repos.oidc.consumeInteraction(row.uid, clock.now()))) throw notFound();
    const out = errorResponse(request, "access_denied", description, request.state);
    return { redirectTo: out.type === "redirect" ? out.location : resumePath(row.uid) };
  }

  return {
    /** Stores an interaction for a validated request; returns its uid. */
    async create(input: {
      kind: "login" | "consent";
      app: ApplicationRow;
      request: AuthorizationRequest;
      userId?: string;
      sessionId?: string;
    }): Promise<string> {
      const uid = randomBase64url(16);
      const now = clock.now();
      await repos.oidc.insertInteraction({
        uid,
        pool_id: input.app.pool_id,
        app_id: input.app.id,
        kind: input.kind,
        request: JSON.stringify(input.request),
        user_id: input.userId ?? null,
        session_id: input.sessionId ?? null,
        outcome: null,
        created_at: now,
        expires_at: now + INTERACTION_TTL_MS,
        consumed_at: null,
        mfa_step: null,
      });
      return uid;
    },

    /** What the pages show; undefined when unknown, expired, answered or spent. */
    async find(uid: string): Promise<Interaction | undefined> {
      const found = await load(uid);
      if (!found || found.row.outcome !== null) return undefined;
      const { row, request } = found;
      const app = await repos.applications.findApplicationById(row.app_id);
      return {
        uid: row.uid,
        kind: row.kind as Interaction["kind"],
        poolId: row.pool_id,
        appId: row.app_id,
        appName: app?.name ?? "",
        scopes: request.scope.split(" ").filter(Boolean),
        prompt: request.prompt,
        ...(request.loginHint !== undefined ? { loginHint: request.loginHint } : {}),
        ...(request.uiLocales !== undefined ? { uiLocales: request.uiLocales } : {}),
        ...(request.acrValues !== undefined ? { acrValues: request.acrValues } : {}),
        ...(row.user_id ? { userId: row.user_id } : {}),
        ...(row.kind === "login" && row.session_id ? { stepUpSessionId: row.session_id } : {}),
        ...(row.kind === "login" && row.mfa_step ? { mfaStep: openStep(row) } : {}),
        expiresAt: Number(row.expires_at),
      };
    },

    /**
     * The first factor passed and a second is owed: the login waits in the interaction (a new first
     * factor replaces the step). INTERACTION_NOT_FOUND when it is answered, spent or expired.
     */
    async saveMfaStep(uid: string, step: MfaStep): Promise<void> {
      if (!(await repos.oidc.setInteractionMfaStep(uid, sealStep(uid, step), clock.now()))) throw notFound();
    },

    /**
     * The pages signed the user in: a new browser session (its cookie to set) and the URL that
     * continues the authorization. The user must be an active user of the interaction's pool.
     */
    async finishLogin(
      uid: string,
      input: {
        userId: string;
        method: SignInMethod;
        /** How the user got in; default: the first factor alone. */
        amr?: string[];
        ip: string | null;
        userAgent: string | null;
      },
    ): Promise<{ redirectTo: string; cookie: { name: string; value: string; options: CookieOptions } }> {
      const found = await pending(uid);
      if (found.row.kind !== "login") throw notFound();
      const user = await repos.users.findUserById(found.row.pool_id, input.userId);
      if (user?.status !== "Activated") throw new ApiError("USER_NOT_FOUND");
      const started = await browserSessions
        .start({
          poolId: found.row.pool_id,
          userId: user.id,
          appId: found.row.app_id,
          method: input.method,
          ...(input.amr ? { amr: input.amr } : {}),
          ip: input.ip,
          userAgent: input.userAgent,
        })
        .catch(goneAsNotFound);
      const answered = await repos.oidc.answerInteraction(
        uid,
        { outcome: "login", userId: user.id, sessionId: started.session.sessionId },
        clock.now(),
      );
      if (!answered) {
        // Answered concurrently: this sign-in's session must not outlive the refusal.
        await browserSessions.end(started.session.sessionId, "interaction_lost");
        throw notFound();
      }
      return {
        redirectTo: resumePath(uid),
        cookie: {
          name: browserSessions.cookieName,
          value: started.value,
          options: browserSessions.cookieOptions(),
        },
      };
    },

    /**
     * A step-up is done: the browser session it names (the one the cookie carries) now has `amr`,
     * and the authorization continues in it. INTERACTION_NOT_FOUND when it is no step-up of that
     * session, or is answered, spent or expired.
     */
    async finishStepUp(uid: string, input: { sessionId: string; userId: string; amr?: string[] }) {
      const found = await pending(uid);
      const { row } = found;
      if (row.kind !== "login" || row.session_id !== input.sessionId || row.user_id !== input.userId) {
        throw notFound();
      }
      if (input.amr) await browserSessions.raise(input.sessionId, input.userId, input.amr);
      const answered = await repos.oidc.answerInteraction(
        uid,
        { outcome: "login", userId: input.userId, sessionId: input.sessionId },
        clock.now(),
      );
      if (!answered) throw notFound();
      return { redirectTo: resumePath(uid) };
    },

    /** The user answered the consent page; a grant is remembered for this user and client. */
    async finishConsent(uid: string, input: { granted: boolean }): Promise<{ redirectTo: string }> {
      const found = await pending(uid);
      if (found.row.kind !== "consent" || !found.row.user_id) throw notFound();
      if (!input.granted) return refuse(found, "the user denied the request");
      if (!(await repos.oidc.answerInteraction(uid, { outcome: "consent" }, clock.now()))) throw notFound();
      const before = (await repos.oidc.findConsent(found.row.user_id, found.row.app_id)) ?? "";
      const granted = new Set([...before.split(" "), ...found.request.scope.split(" ")].filter(Boolean));
      await repos.oidc
        .saveConsent(found.row.user_id, found.row.app_id, [...granted].join(" "), clock.now())
        .catch(goneAsNotFound);
      return { redirectTo: resumePath(uid) };
    },

    /** The user cancelled: `access_denied` to the client. */
    async abort(uid: string): Promise<{ redirectTo: string }> {
      return refuse(await pending(uid), "the user cancelled the request");
    },

    /**
     * For the resume endpoint: an answered interaction, spent on the way (single use). A sign-in
     * or consent resumes only in the browser session it was answered in.
     */
    async takeAnswered(uid: string, sessionId: string | undefined): Promise<StoredInteraction | undefined> {
      const found = await load(uid);
      if (!found || found.row.outcome === null) return undefined;
      if (found.row.outcome !== "denied" && found.row.session_id !== sessionId) return undefined;
      if (!(await repos.oidc.consumeInteraction(uid, clock.now()))) return undefined;
      return found;
    },
  };
}

export type Interactions = ReturnType<typeof createInteractions>;
