import { PoolSettings } from "@gatehouse/protocol";
import { Value } from "@sinclair/typebox/value";

/** Parsed settings by their stored JSON text: every app-scoped request needs its pool's settings. */
const parsed = new Map<string, PoolSettings>();
const PARSED_KEEP = 200;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Stored settings merged over the defaults; unknown keys are dropped. Memoised by the stored
 * text (so a changed row is simply a new key, never stale) and frozen, since callers share it.
 */
export function parsePoolSettings(json: string): PoolSettings {
  const hit = parsed.get(json);
  if (hit) return hit;
  const settings = deepFreeze(parseUncached(json));
  if (parsed.size >= PARSED_KEEP) parsed.delete(parsed.keys().next().value as string);
  parsed.set(json, settings);
  return settings;
}

function parseUncached(json: string): PoolSettings {
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
