import type { ApiErrorKey, PoolSettings } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { NotificationPurpose } from "../../messaging/notifications.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Contacts } from "../../storage/repos/user-contacts.js";
import type { CodeCheck, CodeTarget } from "../codes/engine.js";
import type { FlowPurpose } from "../codes/flow-tokens.js";
import type { AuditAction } from "../users/audit.js";
import {
  inTransaction,
  noticesTo,
  type ProfileDeps,
  type SelfService,
  sendNotices,
  withCodesSpent,
} from "./deps.js";

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
  assertFree(repos: Repositories, poolId: string, value: string, userId: string): Promise<void>;
  /** The user's addresses after the change; undefined when the old one is no longer theirs. */
  replace(
    repos: Repositories,
    ...args: Parameters<Repositories["userContacts"]["replaceUserPhone"]>
  ): Promise<Contacts>;
  mismatch: { key: ApiErrorKey; message: string };
  auditAction: AuditAction;
  mask(value: string): string;
  notifySetting: SettingOf<boolean>;
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
      // A wrong old code stops the request and never burns the new one (CodeService.spendWith).
      return withCodesSpent(deps, checks, async (repos) => {
        // After the codes: only someone holding the new address learns that it is taken.
        await spec.assertFree(repos, poolId, to, userId);
        return deps.flowTokens.issue(repos, {
          purpose: spec.purpose,
          poolId,
          userId,
          payload: { [spec.oldKey]: from, [spec.newKey]: to },
          ttlSeconds: settings[spec.tokenTtl],
        });
      });
    },

    async commit(who: SelfService, token: string) {
      const { poolId, userId, settings } = who;
      const other = spec.address === "phone" ? "email" : "phone";
      const change = await inTransaction(deps, async (repos) => {
        const { payload } = await deps.flowTokens.spend<Record<string, string>>(repos, {
          purpose: spec.purpose,
          poolId,
          userId,
          token,
        });
        const from = payload[spec.oldKey]!;
        const to = payload[spec.newKey]!;
        // Re-check at commit what may have changed since step 1.
        await spec.assertFree(repos, poolId, to, userId);
        const after = await spec.replace(repos, poolId, userId, from, to, deps.clock.now());
        if (!after) throw new ApiError(spec.mismatch.key, { message: spec.mismatch.message });
        await deps.audit.record(repos, {
          poolId,
          userId,
          actor: "user",
          action: spec.auditAction,
          oldValue: spec.mask(from),
          newValue: spec.mask(to),
          meta: who.meta,
        });
        return { from, to, otherAddress: after[other] };
      });

      // The old address and the other one hear of it (no code, no link); the new one just proved itself.
      if (settings[spec.notifySetting]) {
        const base = {
          poolId,
          settings,
          purpose: spec.noticePurpose,
          params: { [spec.newKey]: spec.mask(change.to) },
        };
        sendNotices(deps, noticesTo(base, { [spec.address]: change.from, [other]: change.otherAddress }));
      }
      return { success: true };
    },
  };
}
