import { type MfaSettings, type MfaSettingsUpdate, PoolSettings } from "@gatehouse/protocol";
import { Value } from "@sinclair/typebox/value";
import { ApiError, bilingual } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import { compilePasswordPattern } from "../auth/passwords/pattern.js";
import { type Emit, withEvents } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import { poolMfaOf } from "../mfa/policy.js";
import { mergePoolSettings, parsePoolSettings } from "../users/pool-settings.js";
import { loadPoolSettings } from "./users/create.js";

/** The pool's password pattern must compile in the linear-time engine (docs/behaviour-and-errors.md §4.1). */
function assertRunnablePattern(regex: string): void {
  const pattern = compilePasswordPattern(regex);
  if (!pattern.ok) {
    throw new ApiError("SETTINGS_INVALID", {
      texts: bilingual(
        `customPasswordStrength.regex 无法使用：${pattern.reason}（正则表达式在线性时间引擎中运行，使用 RE2 语法）`,
        `customPasswordStrength.regex cannot be used: ${pattern.reason} (patterns run in a linear-time engine, RE2 syntax)`,
      ),
    });
  }
}

/** The stored MFA settings as the management API shows them: the factors as set (FACE included), the policy's defaults filled in. */
function wireMfa(json: string | undefined): MfaSettings {
  const { policy, rememberDeviceDays, apiSignin } = poolMfaOf(json);
  let stored: unknown;
  try {
    stored = json ? (JSON.parse(json) as { enabledFactors?: unknown }).enabledFactors : undefined;
  } catch {
    stored = undefined;
  }
  const factors = Array.isArray(stored) ? (stored as MfaSettings["enabledFactors"]) : [];
  return { enabledFactors: factors, policy, rememberDeviceDays, apiSignin };
}

/** `*` is any origin but the opaque `null` (sandboxed frames, file: pages), which only an exact entry allows. */
const allows = (list: readonly string[], origin: string) =>
  list.includes(origin) || (origin !== "null" && list.includes("*"));

/** get-/update-security-settings and get-/update-global-mfa-settings (docs/wire-contract.md §4). */
export function createPoolSettingsAdmin({
  repos,
  clock,
  emit,
}: {
  repos: Repositories;
  clock: Clock;
  emit: Emit;
}) {
  const poolUpdated = (
    tx: Repositories,
    origin: EventOrigin,
    poolId: string,
    data: Record<string, unknown>,
  ) => emit(tx, origin, { poolId, name: "user-pool:updated", data: { userPoolId: poolId, ...data } });

  const service = {
    get: (poolId: string): Promise<PoolSettings> => loadPoolSettings(repos, poolId),

    /** Deep-merges the patch; keys Gatehouse does not know are dropped, the result must validate. */
    async update(poolId: string, patch: Record<string, unknown>, origin: EventOrigin): Promise<PoolSettings> {
      const current = await loadPoolSettings(repos, poolId);
      const merged = Value.Clean(PoolSettings, mergePoolSettings(current, patch));
      const error = Value.Errors(PoolSettings, merged).First();
      if (error)
        throw new ApiError("SETTINGS_INVALID", {
          texts: bilingual(`安全配置 ${error.path || "/"} 不合法`, `${error.path || "/"}: ${error.message}`),
        });
      const next = merged as PoolSettings;
      if (next.passwordStrength === 4 || next.customPasswordStrength.regex) {
        assertRunnablePattern(next.customPasswordStrength.regex);
      }
      await withEvents(repos, async (tx) => {
        await tx.pools.updatePoolSettings(poolId, JSON.stringify(next), clock.now());
        await poolUpdated(tx, origin, poolId, { settings: Object.keys(patch) });
      });
      return next;
    },

    /** The pool's MFA settings (docs/mfa.md §Policy), every field with its default filled in. */
    async getMfa(poolId: string): Promise<MfaSettings> {
      await loadPoolSettings(repos, poolId);
      return wireMfa(await repos.pools.getPoolMfaSettings(poolId));
    },

    /** A field left out keeps its stored value; `enabledFactors` is always given (the SDK's DTO). */
    async updateMfa(poolId: string, patch: MfaSettingsUpdate, origin: EventOrigin): Promise<MfaSettings> {
      const current = await service.getMfa(poolId);
      const value: MfaSettings = {
        enabledFactors: [...new Set(patch.enabledFactors)],
        policy: patch.policy ?? current.policy,
        rememberDeviceDays: patch.rememberDeviceDays ?? current.rememberDeviceDays,
        apiSignin: patch.apiSignin ?? current.apiSignin,
      };
      await withEvents(repos, async (tx) => {
        await tx.pools.setPoolMfaSettings(poolId, JSON.stringify(value), clock.now());
        await poolUpdated(tx, origin, poolId, { mfa: value });
      });
      return value;
    },

    /** disable-global-mfa-settings: the enabled factors less `disable`; users keep their factors. */
    async disableMfa(poolId: string, disable: readonly string[], origin: EventOrigin): Promise<MfaSettings> {
      const current = await service.getMfa(poolId);
      return service.updateMfa(
        poolId,
        { ...current, enabledFactors: current.enabledFactors.filter((f) => !disable.includes(f)) },
        origin,
      );
    },

    /** Whether the pool of application `appId` lists `origin` in `allowedOrigins`. */
    async originAllowed(origin: string, appId: string): Promise<boolean> {
      if (appId.length > 64) return false;
      const app = await repos.applications.findApplicationById(appId);
      const pool = app && (await repos.pools.findPoolById(app.pool_id));
      return pool ? allows(parsePoolSettings(pool.settings).allowedOrigins, origin) : false;
    },

    /**
     * Whether any pool lists `origin`: only for the preflight of a request that will name an
     * application (a preflight carries header names, not values); the request itself is then
     * answered by its own pool's list (docs/behaviour-and-errors.md §1.7).
     */
    async originListedByAnyPool(origin: string): Promise<boolean> {
      const pools = await repos.pools.listPools();
      return pools.some((pool) => allows(parsePoolSettings(pool.settings).allowedOrigins, origin));
    },
  };
  return service;
}
