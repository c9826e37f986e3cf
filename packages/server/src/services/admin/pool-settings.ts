import { type MfaSettings, PoolSettings } from "@gatehouse/protocol";
import { Value } from "@sinclair/typebox/value";
import type { Context } from "../../context.js";
import { ApiError } from "../../errors.js";
import { mergePoolSettings } from "../users/pool-settings.js";
import { loadPoolSettings } from "./users/create.js";

/** get-/update-security-settings and get-/update-global-mfa-settings (wire contract §4). */
export function poolSettingsAdmin(ctx: Context) {
  const { repos } = ctx;
  return {
    get: (poolId: string): Promise<PoolSettings> => loadPoolSettings(ctx, poolId),

    /** Deep-merges the patch; keys Gatehouse does not know are dropped, the result must validate. */
    async update(poolId: string, patch: Record<string, unknown>): Promise<PoolSettings> {
      const current = await loadPoolSettings(ctx, poolId);
      const merged = Value.Clean(PoolSettings, mergePoolSettings(current, patch));
      const error = Value.Errors(PoolSettings, merged).First();
      if (error)
        throw new ApiError("SETTINGS_INVALID", { message: `${error.path || "/"}: ${error.message}` });
      const next = merged as PoolSettings;
      if (next.passwordStrength === 4 || next.customPasswordStrength.regex) {
        try {
          new RegExp(next.customPasswordStrength.regex);
        } catch {
          throw new ApiError("SETTINGS_INVALID", {
            message: "customPasswordStrength.regex is not a valid regular expression",
          });
        }
      }
      await repos.pools.updatePoolSettings(poolId, JSON.stringify(next), ctx.clock.now());
      return next;
    },

    async getMfa(poolId: string): Promise<MfaSettings> {
      await loadPoolSettings(ctx, poolId);
      const stored = await repos.pools.getPoolMfaSettings(poolId);
      return stored ? (JSON.parse(stored) as MfaSettings) : { enabledFactors: [] };
    },

    async updateMfa(poolId: string, settings: MfaSettings): Promise<MfaSettings> {
      await loadPoolSettings(ctx, poolId);
      const value: MfaSettings = { enabledFactors: [...new Set(settings.enabledFactors)] };
      await repos.pools.setPoolMfaSettings(poolId, JSON.stringify(value), ctx.clock.now());
      return value;
    },
  };
}
