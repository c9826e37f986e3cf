import type {
  MfaInfoData,
  MfaTriggerDataInput,
  UpdateApplicationMfaSettings,
  UserIdType,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import { toApplicationDto } from "../admin/apps.js";
import { loadPoolSettings } from "../admin/users/create.js";
import { userEvent, withEvents } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import { requireUserByIdType } from "../users/lookup.js";
import { FACTOR_TYPES, type FactorType, type MfaDeps } from "./deps.js";
import type { MfaTokens } from "./mfa-token.js";
import { appMfaOf, createMfaPolicy, mergeFactors, poolMfaOf } from "./policy.js";
import { mfaInfoData, storedTriggerData, withStoredTriggerData } from "./trigger-data.js";

const only = (list: readonly string[] | undefined): FactorType[] =>
  FACTOR_TYPES.filter((t) => list?.includes(t));

/** The management API's side of MFA (docs/mfa.md §Management API). */
export function createMfaAdmin(deps: MfaDeps, tokens: MfaTokens) {
  const { policyForUser } = createMfaPolicy(deps);

  async function requireUser(poolId: string, userId: string, userIdType?: UserIdType) {
    const settings = await loadPoolSettings(deps.repos, poolId);
    return requireUserByIdType(deps.repos, poolId, settings, userId, userIdType);
  }

  async function requireApp(poolId: string, appId: string) {
    const app = await deps.repos.applications.findApplicationById(appId);
    if (!app || app.pool_id !== poolId) throw new ApiError("APP_NOT_FOUND");
    return app;
  }

  return {
    /**
     * update-application-mfa-settings: each factor named is switched on (`enabledFactors`) or off
     * (`disabledFactors`) for this application; off wins when both name it. Answers the
     * application's factors.
     */
    async updateApplicationMfa(
      poolId: string,
      dto: UpdateApplicationMfaSettings,
      origin: EventOrigin,
    ): Promise<{ enabledFactors: FactorType[] }> {
      const app = await requireApp(poolId, dto.appId);
      let config: Record<string, unknown> = {};
      try {
        config = (JSON.parse(app.config) as Record<string, unknown>) ?? {};
      } catch {
        // a broken config keeps only what is written now
      }
      const current = appMfaOf(app.config);
      const enabled = new Set(only(current.enabledFactors));
      const disabled = new Set(only(current.disabledFactors));
      for (const t of only(dto.enabledFactors)) {
        enabled.add(t);
        disabled.delete(t);
      }
      for (const t of only(dto.disabledFactors)) {
        disabled.add(t);
        enabled.delete(t);
      }
      const mfa = { enabledFactors: only([...enabled]), disabledFactors: only([...disabled]) };
      const next = JSON.stringify({ ...config, mfa });
      await withEvents(deps.repos, async (tx) => {
        await tx.applications.updateApplicationConfig(app.id, next, deps.clock.now());
        await deps.emit(tx, origin, {
          poolId,
          name: "application:updated",
          data: toApplicationDto({ ...app, config: next }),
        });
      });
      const pool = poolMfaOf(await deps.repos.pools.getPoolMfaSettings(poolId));
      return { enabledFactors: mergeFactors(pool.enabledFactors, mfa) };
    },

    /**
     * get-mfa-trigger-data: what the MFA step of this user through this application looks like,
     * with a fresh MFA token for it (GenAuth hands it to a front end that runs the step).
     */
    async triggerData(
      poolId: string,
      appId: string,
      userId: string,
      userIdType?: UserIdType,
    ): Promise<MfaInfoData> {
      const app = await requireApp(poolId, appId);
      const user = await requireUser(poolId, userId, userIdType);
      const [policy, factors] = await Promise.all([
        policyForUser(poolId, user.id, app.id),
        deps.repos.mfaFactors.listUserFactors(poolId, user.id),
      ]);
      return mfaInfoData(user, policy, factors, tokens.issue(poolId, user.id, { appId: app.id }));
    },

    /** set-mfa-status: the user's own MFA trigger data; its `applicationMfa` switches factors for them. */
    async setStatus(
      poolId: string,
      userId: string,
      userIdType: UserIdType | undefined,
      data: MfaTriggerDataInput,
      origin: EventOrigin,
    ): Promise<void> {
      const user = await requireUser(poolId, userId, userIdType);
      await withEvents(deps.repos, async (tx) => {
        await tx.mfaFactors.setUserMfaStatus(poolId, user.id, storedTriggerData(data), deps.clock.now());
        await deps.emit(tx, origin, userEvent("user:updated", user, { mfaStatus: true }));
      }).catch((err: unknown) => {
        // Deleted since it was read (docs/behaviour-and-errors.md §1.10): nothing kept.
        if (isForeignKeyViolation(err)) throw new ApiError("USER_NOT_FOUND");
        throw err;
      });
    },

    /** get-mfa-status: the user's MFA trigger data (derived, with what set-mfa-status stored over it); no token. */
    async getStatus(poolId: string, userId: string, userIdType?: UserIdType): Promise<MfaInfoData> {
      const user = await requireUser(poolId, userId, userIdType);
      const [policy, factors, stored] = await Promise.all([
        policyForUser(poolId, user.id),
        deps.repos.mfaFactors.listUserFactors(poolId, user.id),
        deps.repos.mfaFactors.getUserMfaStatus(poolId, user.id),
      ]);
      return withStoredTriggerData(mfaInfoData(user, policy, factors, ""), stored);
    },

    /** An administrator removes every factor of a user and lifts the MFA lock: `mfa:reset`. */
    async resetUserFactors(
      poolId: string,
      origin: EventOrigin,
      userId: string,
      userIdType?: UserIdType,
    ): Promise<number> {
      const user = await requireUser(poolId, userId, userIdType);
      const factors = await deps.repos.mfaFactors.listUserFactors(poolId, user.id);
      const removed = await withEvents(deps.repos, async (tx) => {
        const n = await tx.mfaFactors.deleteUserFactors(poolId, user.id);
        if (n > 0) {
          await deps.emit(tx, origin, {
            poolId,
            userId: user.id,
            name: "mfa:reset",
            data: { userId: user.id, factorTypes: factors.map((f) => f.factor_type) },
          });
        }
        return n;
      });
      await deps.attempts.clear(poolId, user.id);
      return removed;
    },
  };
}
