import { PoolSettings } from "@gatehouse/protocol";
import { Value } from "@sinclair/typebox/value";

/** Stored settings merged over the defaults; unknown keys are dropped. */
export function parsePoolSettings(json: string): PoolSettings {
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch {
    stored = {};
  }
  const merged = Value.Default(PoolSettings, Value.Clean(PoolSettings, structuredClone(stored ?? {})));
  return Value.Check(PoolSettings, merged) ? (merged as PoolSettings) : defaultPoolSettings();
}

export function defaultPoolSettings(): PoolSettings {
  return Value.Default(PoolSettings, {}) as PoolSettings;
}

/** Deep-merge a partial update (validated by the caller's schema) into current settings. */
export function mergePoolSettings(current: PoolSettings, patch: Record<string, unknown>): PoolSettings {
  const out: Record<string, unknown> = structuredClone(current) as Record<string, unknown>;
  const merge = (target: Record<string, unknown>, src: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(src)) {
      if (k === "__proto__" || k === "constructor" || k === "prototype") continue;
      const cur = target[k];
      if (
        v &&
        typeof v === "object" &&
        !Array.isArray(v) &&
        cur &&
        typeof cur === "object" &&
        !Array.isArray(cur)
      ) {
        merge(cur as Record<string, unknown>, v as Record<string, unknown>);
      } else {
        target[k] = v;
      }
    }
  };
  merge(out, patch);
  return out as PoolSettings;
}
