import { createRequire } from "node:module";
import type { PoolSettings } from "@gatehouse/protocol";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { ApiError, bilingual } from "../../../errors.js";
import { compilePasswordPattern } from "./pattern.js";

/**
 * The pool's password policy: GenAuth's strength levels (docs/behaviour-and-errors.md §4.1) plus an
 * optional minimum zxcvbn score. Each rule is a small named check (docs/architecture.md, habit 4).
 */
const hasLetter = (p: string) => /\p{L}/u.test(p);
const hasDigit = (p: string) => /\p{Nd}/u.test(p);
/** Anything that is neither a letter, a digit nor white space counts as a symbol. */
const hasSymbol = (p: string) => /[^\p{L}\p{Nd}\s]/u.test(p);
const classCount = (p: string) => [hasLetter, hasDigit, hasSymbol].filter((f) => f(p)).length;

const MIN_LENGTH = 6;
/**
 * No password is longer than a request can carry (2048 characters); the bound holds here too, so
 * the checks below (the pool's pattern, zxcvbn) never see more whoever calls them.
 */
export const MAX_PASSWORD_LENGTH = 2048;

function weak(zh: string, en: string): ApiError {
  return new ApiError("WEAK_PASSWORD", { texts: bilingual(zh, en) });
}

function assertNotEmpty(password: string): void {
  if (password.length === 0) throw weak("密码不能为空", "Password must not be empty");
}

function assertNotTooLong(password: string): void {
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw weak(
      `密码长度不能超过 ${MAX_PASSWORD_LENGTH} 个字符`,
      `Password must be at most ${MAX_PASSWORD_LENGTH} characters long`,
    );
  }
}

function assertLevel(password: string, settings: PoolSettings): void {
  const level = settings.passwordStrength;
  const length = [...password].length;
  if (level >= 1 && level <= 3 && length < MIN_LENGTH) {
    throw weak(
      `密码长度不能少于 ${MIN_LENGTH} 个字符`,
      `Password must be at least ${MIN_LENGTH} characters long`,
    );
  }
  if (level === 2 && classCount(password) < 2) {
    throw weak(
      `密码长度不能少于 ${MIN_LENGTH} 个字符，且至少包含字母、数字、符号中的两种`,
      `Password must be at least ${MIN_LENGTH} characters long and contain at least two of: letters, digits, symbols`,
    );
  }
  if (level === 3 && classCount(password) < 3) {
    throw weak(
      `密码长度不能少于 ${MIN_LENGTH} 个字符，且须包含字母、数字和符号`,
      `Password must be at least ${MIN_LENGTH} characters long and contain letters, digits and symbols`,
    );
  }
}

function assertCustomRule(password: string, settings: PoolSettings): void {
  if (settings.passwordStrength !== 4) return;
  const { regex, message } = settings.customPasswordStrength;
  if (!regex) return;
  const pattern = compilePasswordPattern(regex);
  if (!pattern.ok) {
    // A broken admin rule fails closed: the pool asked for a rule we cannot check.
    throw weak(
      "用户池的自定义密码规则无效，请联系管理员修正",
      "The user pool's custom password rule is invalid; ask an administrator to fix it",
    );
  }
  // The administrator's own message is in the one language they wrote it in.
  if (!pattern.test(password))
    throw message
      ? weak(message, message)
      : weak(`密码须符合规则 ${regex}`, `Password must match the pattern ${regex}`);
}

let zxcvbn: ZxcvbnFactory | undefined;
/** zxcvbn and its dictionaries are loaded the first time a password is scored (memory at idle). */
function loadZxcvbn(): ZxcvbnFactory {
  const require = createRequire(import.meta.url);
  const { ZxcvbnFactory } = require("@zxcvbn-ts/core") as typeof import("@zxcvbn-ts/core");
  const { adjacencyGraphs, dictionary } =
    require("@zxcvbn-ts/language-common") as typeof import("@zxcvbn-ts/language-common");
  return new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
}
function zxcvbnScore(password: string): { score: number; warning: string } {
  zxcvbn ??= loadZxcvbn();
  // zxcvbn is quadratic in length; the first 100 characters decide any realistic score.
  const r = zxcvbn.check(password.slice(0, 100));
  return { score: r.score, warning: r.feedback.warning ?? "" };
}

function assertZxcvbn(password: string, settings: PoolSettings): void {
  const min = settings.passwordMinZxcvbnScore;
  if (min <= 0) return;
  const { score, warning } = zxcvbnScore(password);
  if (score < min) {
    // zxcvbn's warning is English only.
    throw weak(
      `密码太容易被猜到（强度 ${score}/4，至少需要 ${min}）`,
      `Password is too easy to guess (strength score ${score} of 4, at least ${min} required)` +
        (warning ? `: ${warning}` : ""),
    );
  }
}

/** Throws WEAK_PASSWORD (400/2061) naming the rule that failed. */
export function assertPasswordPolicy(password: string, settings: PoolSettings): void {
  assertNotEmpty(password);
  assertNotTooLong(password);
  assertLevel(password, settings);
  assertCustomRule(password, settings);
  assertZxcvbn(password, settings);
}

/**
 * GenAuth's `passwordSecurityLevel` of a password (docs/behaviour-and-errors.md §2.7): 3 for ≥ 12
 * characters with lower case, upper case and a digit; 2 for ≥ 8 with a letter and a digit; else 1.
 */
export function passwordSecurityLevel(password: string): 1 | 2 | 3 {
  const length = [...password].length;
  if (length >= 12 && /\p{Ll}/u.test(password) && /\p{Lu}/u.test(password) && hasDigit(password)) return 3;
  if (length >= 8 && hasLetter(password) && hasDigit(password)) return 2;
  return 1;
}
