import type { ApiErrorKey, PoolSettings, Texts } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { NotificationPurpose } from "../../messaging/notifications.js";
import { allOrNothing, type Step, StepFailed } from "../../storage/repos/all-or-nothing.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Contacts } from "../../storage/repos/user-contacts.js";
import type { CodeCheck, CodeTarget } from "../codes/engine.js";
import type { FlowPurpose } from "../codes/flow-tokens.js";
import type { AuditAction } from "../users/audit.js";
import { takenMapped } from "../users/taken.js";
import { noticesTo, type ProfileDeps, type SelfService, sendNotices } from "./deps.js";

/** The answer for the step of a batch that failed its expectation (StepFailed.index → answers[index]). */
async function failedStepMapped<T>(
  run: () => Promise<T>,
  answers: ReadonlyArray<ApiErrorKey | { key: ApiErrorKey; texts: Texts }>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const answer = err instanceof StepFailed ? answers[err.index] : undefined;
    if (answer === undefined) throw err;
    throw typeof answer === "string"
      ? new ApiError(answer)
      : new ApiError(answer.key, { texts: answer.texts });
  }
}

type SettingOf<T> = { [K in keyof PoolSettings]: PoolSettings[K] extends T ? K : never }[keyof PoolSettings];

/** What changing the phone number and changing the email differ in; the flow itself is one. */
export interface ContactChangeSpec {
  /** The user column that changes; the notice also goes to the other one. */
  address: "phone" | "email";
  codeKind: CodeTarget["kind"];
  oldChannels: readonly string[];
  newChannels: readonly string[];
  purpose: FlowPurpose;
  /**
   * The token payload is `{[oldKey], [newKey]}` as JSON: renaming a key invalidates tokens in
   * flight. `newKey` is also the notice text's placeholder for the masked new value.
   */
  oldKey: string;
  newKey: string;
  tokenTtl: SettingOf<number>;
  /** A step that fails when another user of the pool has the address; `taken` is the answer then. */
  freeStep(repos: Repositories, poolId: string, value: string, userId: string): Step;
  taken: ApiErrorKey;
  /** The change as a step: fails when the old address is no longer theirs; its row is the user's addresses after. */
  replaceStep(
    repos: Repositories,
    ...args: Parameters<Repositories["userContacts"]["replaceUserPhoneStep"]>
  ): Step;
  mismatch: { key: ApiErrorKey; texts: Texts };
  auditAction: AuditAction;
  mask(value: string): string;
  noticePurpose: NotificationPurpose;
}

export interface ContactChangeRequest {
  from: string;
  to: string;
  /** Present when the pool makes the user prove the old address too. */
  oldCode?: { target: string; code: string };
  newCode: string;
}

/** The steps of verify-update-*-request → update-* (docs/behaviour-and-errors.md §2). */
export function contactChangeFlow(deps: ProfileDeps, spec: ContactChangeSpec) {
  return {
    /** Step 1 once the request is valid: `from` → `to`, with the code for `to` and maybe for `from`. */
    async verifyRequest(who: SelfService, req: ContactChangeRequest) {
      const { poolId, userId, settings } = who;
      const { from, to } = req;
      const at = (target: string) => ({ poolId, kind: spec.codeKind, target });
      const checks: CodeCheck[] = [];
      if (req.oldCode)
        checks.push({ target: at(req.oldCode.target), channels: spec.oldChannels, code: req.oldCode.code });
      checks.push({ target: at(to), channels: spec.newChannels, code: req.newCode });
      const issued = deps.flowTokens.issueSteps(deps.repos, {
        purpose: spec.purpose,
        poolId,
        userId,
        payload: { [spec.oldKey]: from, [spec.newKey]: to },
        ttlSeconds: settings[spec.tokenTtl],
      });
      // Checked after the codes: only someone holding the new address learns that it is taken. A
      // wrong old code stops the request and never burns the new one (CodeService.spendThen).
      await failedStepMapped(
        () =>
          takenMapped(() =>
            deps.codes.spendThen(checks, [spec.freeStep(deps.repos, poolId, to, userId), ...issued.steps]),
          ),
        [spec.taken],
      );
      await deps.flowTokens.sweepNow(deps.repos);
      return { token: issued.token, expiresIn: issued.expiresIn };
    },

    async commit(who: SelfService, token: string) {
      const { poolId, userId, settings } = who;
      const other = spec.address === "phone" ? "email" : "phone";
      const { payload, spend } = await deps.flowTokens.peek<Record<string, string>>(deps.repos, {
        purpose: spec.purpose,
        poolId,
        userId,
        token,
      });
      const from = payload[spec.oldKey]!;
      const to = payload[spec.newKey]!;
      // The token spent, the address changed (the unique index says whether `to` is still free)
      // and the audit row written: all or nothing, one statement on PostgreSQL.
      const [, changed] = await failedStepMapped(
        () =>
          takenMapped(() =>
            allOrNothing(deps.db, [
              spend,
              spec.replaceStep(deps.repos, poolId, userId, from, to, deps.clock.now()),
              ...deps.audit.recordSteps(deps.repos, {
                poolId,
                userId,
                actor: "user",
                action: spec.auditAction,
                oldValue: spec.mask(from),
                newValue: spec.mask(to),
                meta: who.meta,
              }),
            ]),
          ),
        ["FLOW_TOKEN_INVALID", spec.mismatch],
      );
      const after = changed![0] as NonNullable<Contacts>;
      const change = { from, to, otherAddress: after[other] };

      // The old address and the other one hear of it (no code, no link); the new one just proved itself.
      // The notifier skips it when the pool switched the notice off (messaging/notifications.ts).
      const base = {
        poolId,
        settings,
        purpose: spec.noticePurpose,
        params: { [spec.newKey]: spec.mask(change.to) },
      };
      sendNotices(deps, noticesTo(base, { [spec.address]: change.from, [other]: change.otherAddress }));
      return { success: true };
    },
  };
}
