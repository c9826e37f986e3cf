import type { Repositories } from "../../storage/repos/index.js";
import { FACTOR_TYPES, type FactorType } from "./deps.js";

/** off: never asked; optional: a user with a factor proves one; required: a user with none enrols one. */
export type MfaPolicyName = "off" | "optional" | "required";
export const MFA_POLICIES: readonly MfaPolicyName[] = ["off", "optional", "required"];

/** The MFA rules one sign-in runs under (docs/mfa.md §Policy). */
export interface MfaPolicy {
  policy: MfaPolicyName;
  /** Factor types that count here: the pool's, changed by the application's own switches. */
  enabledFactors: FactorType[];
  /** "Remember this device" on the hosted pages, in days; 0 is off. */
  rememberDeviceDays: number;
  /** Whether `/api/v3/signin` runs the MFA step (GenAuth's does not; off by default). */
  apiSignin: boolean;
}

/** The pool's stored MFA settings (pool_mfa_settings.settings, JSON), every key optional. */
export interface StoredPoolMfa {
  enabledFactors?: string[];
  policy?: string;
  rememberDeviceDays?: number;
  apiSignin?: boolean;
}

/** An application's switches (application config key `mfa`): each factor on or off for this app only. */
export interface StoredAppMfa {
  enabledFactors?: string[];
  disabledFactors?: string[];
}

export const DEFAULT_POLICY: MfaPolicyName = "optional";
/** Longest "remember this device" a pool may set. */
export const MAX_REMEMBER_DEVICE_DAYS = 365;

const parse = <T>(json: string | undefined): T => {
  if (!json) return {} as T;
  try {
    const v = JSON.parse(json) as unknown;
    return (v && typeof v === "object" ? v : {}) as T;
  } catch {
    return {} as T;
  }
};

const factorsIn = (list: unknown): FactorType[] =>
  Array.isArray(list) ? FACTOR_TYPES.filter((t) => list.includes(t)) : [];

/** The pool's settings with defaults filled in; unknown or broken values fall back to the default. */
export function poolMfaOf(json: string | undefined): MfaPolicy {
  const s = parse<StoredPoolMfa>(json);
  const days = s.rememberDeviceDays;
  return {
    policy: MFA_POLICIES.includes(s.policy as MfaPolicyName) ? (s.policy as MfaPolicyName) : DEFAULT_POLICY,
    enabledFactors: factorsIn(s.enabledFactors),
    rememberDeviceDays:
      typeof days === "number" && Number.isInteger(days) && days > 0
        ? Math.min(days, MAX_REMEMBER_DEVICE_DAYS)
        : 0,
    apiSignin: s.apiSignin === true,
  };
}

/** The application's switches, read from its stored config (`{mfa: StoredAppMfa}`). */
export function appMfaOf(configJson: string | undefined): StoredAppMfa {
  const mfa = parse<{ mfa?: StoredAppMfa }>(configJson).mfa;
  return mfa && typeof mfa === "object"
    ? { enabledFactors: factorsIn(mfa.enabledFactors), disabledFactors: factorsIn(mfa.disabledFactors) }
    : {};
}

/**
 * A user's own switches, from the trigger data an administrator set (`set-mfa-status`):
 * `applicationMfa` entries with `status` 1 switch a factor on for this user, 0 off.
 */
export function userMfaOf(triggerDataJson: string | undefined): StoredAppMfa {
  const list = parse<{ applicationMfa?: { mfaPolicy?: unknown; status?: unknown }[] }>(
    triggerDataJson,
  ).applicationMfa;
  if (!Array.isArray(list)) return {};
  const named = (status: number) => list.filter((e) => e?.status === status).map((e) => e?.mfaPolicy);
  return { enabledFactors: factorsIn(named(1)), disabledFactors: factorsIn(named(0)) };
}

/** Pool factors, plus those the application switches on, less those it switches off (off wins). */
export function mergeFactors(pool: readonly FactorType[], app: StoredAppMfa): FactorType[] {
  const on = new Set<FactorType>([...pool, ...factorsIn(app.enabledFactors)]);
  for (const t of factorsIn(app.disabledFactors)) on.delete(t);
  return FACTOR_TYPES.filter((t) => on.has(t));
}

/** What a sign-in does after its first factor (docs/mfa.md §Policy). */
export type MfaAction = "none" | "prove" | "enrol";

export interface SecondFactorsOwed {
  action: MfaAction;
  /** The user's factors that count here: with `prove`, one of them must be proved. */
  enrolled: FactorType[];
  /** Factors that count here and the user has none of: with `enrol`, one of them must be enrolled. */
  enrollable: FactorType[];
}

/**
 * The one rule of who owes a second factor: `off` never; otherwise a user with a factor that
 * counts proves one; a user without one enrols one only under `required` (and only if some factor
 * can be enrolled: a required policy with no enabled factor asks nothing).
 */
export function owedFor(policy: MfaPolicy, have: readonly FactorType[]): SecondFactorsOwed {
  const enrolled = have.filter((t) => policy.enabledFactors.includes(t));
  const enrollable = policy.enabledFactors.filter((t) => !have.includes(t));
  let action: MfaAction = "none";
  if (policy.policy !== "off") {
    if (enrolled.length > 0) action = "prove";
    else if (policy.policy === "required" && enrollable.length > 0) action = "enrol";
  }
  return { action, enrolled, enrollable };
}

/** `ctx.mfa.policyFor`: the pool's settings merged with the application's (an unknown app adds nothing). */
export function createMfaPolicy({ repos }: { repos: Repositories }) {
  async function policyFor(poolId: string, appId?: string): Promise<MfaPolicy> {
    const pool = poolMfaOf(await repos.pools.getPoolMfaSettings(poolId));
    if (!appId) return pool;
    const app = await repos.applications.findApplicationById(appId);
    if (!app || app.pool_id !== poolId) return pool;
    return { ...pool, enabledFactors: mergeFactors(pool.enabledFactors, appMfaOf(app.config)) };
  }
  /** The policy for one user: the application's, then the user's own switches (set-mfa-status). */
  async function policyForUser(poolId: string, userId: string, appId?: string): Promise<MfaPolicy> {
    const [policy, status] = await Promise.all([
      policyFor(poolId, appId),
      repos.mfaFactors.getUserMfaStatus(poolId, userId),
    ]);
    if (status === undefined) return policy;
    return { ...policy, enabledFactors: mergeFactors(policy.enabledFactors, userMfaOf(status)) };
  }
  return { policyFor, policyForUser };
}
