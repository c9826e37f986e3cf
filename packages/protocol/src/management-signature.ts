/**
 * The canonical string of GenAuth's management request signature, byte for byte what
 * authing-node-sdk 4.0.1 signs (docs/wire-contract.md §1.4.2):
 *   stringToSign = METHOD \n canonicalHeaders canonicalResource
 *   signature    = base64(HMAC-SHA1(accessKeySecret, stringToSign))
 * The SDK builds it from what it sends; the server from what it received. Only the string lives
 * here: the HMAC needs WebCrypto in the SDK and node:crypto on the server.
 */

const clean = (value: unknown) =>
  (typeof value === "string" ? value.replace(/[\t\n\r\f]/g, " ") : String(value)).trim();

/** `name:value\n` for every `date` / `x-authing-*` header, names sorted. */
export function canonicalHeaders(headers: Record<string, unknown>): string {
  return Object.keys(headers)
    .filter((k) => k.startsWith("x-authing-") || k === "date")
    .sort()
    .map((k) => `${k}:${clean(headers[k])}\n`)
    .join("");
}

/**
 * Path plus sorted `k=v` pairs, no URL encoding; objects as JSON, undefined skipped. A parameter
 * object whose every value is undefined still yields `path?` — the official SDK does that too.
 */
export function canonicalResource(path: string, params: Record<string, unknown>): string {
  const keys = Object.keys(params).sort();
  if (keys.length === 0) return path;
  const pairs: string[] = [];
  for (const key of keys) {
    const value = params[key];
    if (value === undefined) continue;
    pairs.push(`${key}=${typeof value === "object" && value !== null ? JSON.stringify(value) : value}`);
  }
  return `${path}?${pairs.join("&")}`;
}

export function stringToSign(
  method: string,
  path: string,
  headers: Record<string, unknown>,
  params: Record<string, unknown>,
): string {
  return `${method}\n${canonicalHeaders(headers)}${canonicalResource(path, params)}`;
}

/** What the verifier knows of an endpoint's parameters (its request schema). */
export interface ParamShape {
  /** Whether `name` is a parameter the endpoint reads. */
  isParam(name: string): boolean;
  /** Whether parameter `name` takes `value` (asked for values of another type than the one sent). */
  accepts(name: string, value: unknown): boolean;
}

/** How the SDK prints a value into the canonical string. */
const printed = (value: unknown) =>
  typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);

/** The value of another type that prints exactly like the string `s`, if any (`"null"` → null). */
function otherTypePrintedAs(s: string): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch {
    return undefined;
  }
  return typeof value !== "string" && printed(value) === s ? { value } : undefined;
}

/**
 * Why the canonical string of `params` could equally be another request's, or undefined when it
 * cannot (docs/wire-contract.md §1.4.2, ambiguous canonical strings). The SDK joins `k=v` unescaped and prints values without
 * their type; that is the wire contract and stays, so the verifier refuses exactly the requests
 * whose string reads as a different request of the same endpoint:
 * - a key holding `&` or `=`;
 * - a value holding `&name=` where `name` is a parameter of the endpoint (it reads as two);
 * - with `typed` (JSON bodies), a string printed exactly like a value of another type that the
 *   parameter also takes: `"null"` where null clears, `'{"a":1}'` where an object is taken.
 * Query strings are untyped on the wire, so they have no third case.
 */
export function canonicalAmbiguity(
  params: Record<string, unknown>,
  shape: ParamShape,
  typed: boolean,
): Ambiguity | undefined {
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (/[&=]/.test(key))
      return {
        en: `the parameter name "${key}" holds "&" or "="`,
        zh: `参数名 "${key}" 含有 "&" 或 "="`,
      };
    for (const m of printed(value).matchAll(/&([^&=]*)=/g)) {
      if (shape.isParam(m[1]!))
        return {
          en: `the value of ${key} holds "&${m[1]}=", which reads as another parameter`,
          zh: `参数 ${key} 的值含有 "&${m[1]}="，会被读成另一个参数`,
        };
    }
    if (typed && typeof value === "string") {
      const other = otherTypePrintedAs(value);
      if (other && shape.accepts(key, other.value)) {
        const kind = other.value === null ? "null" : typeof other.value;
        return {
          en: `the value of ${key} is the string ${JSON.stringify(value)}, which signs exactly like the ${kind} it spells`,
          zh: `参数 ${key} 的值是字符串 ${JSON.stringify(value)}，其签名与它所写的 ${kind} 完全相同`,
        };
      }
    }
  }
  return undefined;
}

/** Why a signed request is ambiguous, in both languages of the error texts (docs/behaviour-and-errors.md). */
export interface Ambiguity {
  en: string;
  zh: string;
}
