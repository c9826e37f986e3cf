import { createRequire } from "node:module";
import type { RE2 } from "re2-wasm";

/**
 * A pool's custom password pattern (`customPasswordStrength.regex`, docs/behaviour-and-errors.md
 * §4.1) runs in RE2, a linear-time engine: a pattern an administrator writes must not be able to
 * hold the event loop, which every pool shares. V8's own engine backtracks (`^([a-z0-9]+)*$`
 * takes minutes on 34 characters). re2-wasm rather than the native `re2` package: it needs no
 * compiler or prebuilt binary at install time and runs on every Node version.
 *
 * RE2 has no backreferences and no lookarounds; such a pattern is refused when it is set and, if
 * one is already stored, fails closed when a password is checked.
 */
export type CompiledPattern = { ok: true; test(password: string): boolean } | { ok: false; reason: string };

type Re2Class = typeof RE2;
let Re2: Re2Class | undefined;
/** The WebAssembly module (about 1 MB) is loaded the first time a pool uses a pattern. */
function re2(): Re2Class {
  if (!Re2) {
    const require = createRequire(import.meta.url);
    Re2 = (require("re2-wasm") as typeof import("re2-wasm")).RE2;
  }
  return Re2;
}

/**
 * Compiled patterns by source. re2-wasm frees a compiled pattern only when asked (WebAssembly
 * memory is not garbage-collected), so each distinct source is compiled once and kept: the set
 * grows only when an administrator sets a new pattern, never with what users send.
 */
const compiled = new Map<string, CompiledPattern>();

function why(message: string): string {
  if (/invalid escape sequence: \\[1-9]/.test(message)) return "backreferences are not supported";
  if (/invalid perl operator: \(\?<?[=!]/.test(message))
    return "lookarounds ((?=, (?!, (?<=, (?<!) are not supported";
  return message.replace(/^Invalid regular expression: /, "");
}

/** The pattern, compiled with the `u` flag as V8 would, or why RE2 cannot run it. */
export function compilePasswordPattern(source: string): CompiledPattern {
  const hit = compiled.get(source);
  if (hit) return hit;
  let result: CompiledPattern;
  try {
    const re = new (re2())(source, "u");
    result = { ok: true, test: (password) => re.test(password) };
  } catch (err) {
    result = { ok: false, reason: why(err instanceof Error ? err.message : String(err)) };
  }
  compiled.set(source, result);
  return result;
}
