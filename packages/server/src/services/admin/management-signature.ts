import { createHmac, timingSafeEqual } from "node:crypto";
import {
  canonicalAmbiguity,
  canonicalHeaders as canonicalHeaderLines,
  canonicalResource,
  type ParamShape,
  stringToSign,
} from "@gatehouse/protocol";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

/**
 * GenAuth's management request signature, verified (docs/wire-contract.md §1.4.2). The canonical
 * string is built by @gatehouse/protocol, the same code the SDK signs with; this module rebuilds
 * the SDK's parameters from what reached the wire and where that is ambiguous (params that were
 * all undefined) tries every candidate.
 */

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (`request.url`). */
  url: string;
  headers: HeaderBag;
  /** The parsed JSON body, for every method but GET. */
  body?: unknown;
}

/** `authorization: authing <accessKeyId>:<base64 signature>`. */
export function parseSignatureAuthorization(
  header: string | undefined,
): { accessKeyId: string; signature: string } | undefined {
  const m = /^authing ([^:\s]{1,128}):([A-Za-z0-9+/=]{1,128})$/.exec(header?.trim() ?? "");
  return m ? { accessKeyId: m[1]!, signature: m[2]! } : undefined;
}

function headerValue(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(", ") : (v ?? "");
}

/** Header names lower-cased and repeated headers joined, as the SDK held them before sending. */
function sentHeaders(headers: HeaderBag): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(headers)) out[k.toLowerCase()] = headerValue(headers[k]);
  return out;
}

/** `date` and every `x-authing-*` header, sorted by name, one `name:value\n` each. */
export function canonicalHeaders(headers: HeaderBag): string {
  return canonicalHeaderLines(sentHeaders(headers));
}

/** GET: the query decoded (`+` is a space), `k[]` repeats folded back into the JSON array the SDK signed. */
export function queryParams(url: string): Map<string, string> {
  const q = url.indexOf("?");
  const out = new Map<string, string>();
  if (q < 0) return out;
  const arrays = new Map<string, string[]>();
  const single = new Map<string, string>();
  for (const [rawKey, value] of new URLSearchParams(url.slice(q + 1))) {
    const isArray = rawKey.endsWith("[]");
    const key = isArray ? rawKey.slice(0, -2) : rawKey;
    const list = arrays.get(key);
    if (list) list.push(value);
    else if (isArray) arrays.set(key, [value]);
    else if (single.has(key)) {
      arrays.set(key, [single.get(key)!, value]);
      single.delete(key);
    } else single.set(key, value);
  }
  for (const [k, v] of single) out.set(k, v);
  for (const [k, v] of arrays) out.set(k, JSON.stringify(v));
  return out;
}

/** Non-GET: the JSON body field by field; nested values as JSON in their original key order. */
export function bodyParams(body: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (body === null || typeof body !== "object") return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (v === undefined) continue;
    out.set(k, v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));
  }
  return out;
}

/**
 * The parameter objects the SDK may have signed for this request (usually exactly one). With none
 * on the wire it signed either no parameters (`path`) or only undefined ones (`path?`).
 */
function candidateParams(method: string, url: string, body: unknown): Record<string, string | undefined>[] {
  const params = method.toUpperCase() === "GET" ? queryParams(url) : bodyParams(body);
  if (params.size === 0) return [{}, { unset: undefined }];
  return [Object.fromEntries(params)];
}

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** The canonical resources the SDK may have signed for this request (usually exactly one). */
export function canonicalResources(method: string, url: string, body: unknown): string[] {
  const path = pathOf(url);
  return candidateParams(method, url, body).map((p) => canonicalResource(path, p));
}

export function stringsToSign(req: SignedRequest): string[] {
  const method = req.method.toUpperCase();
  const path = pathOf(req.url);
  const headers = sentHeaders(req.headers);
  return candidateParams(req.method, req.url, req.body).map((p) => stringToSign(method, path, headers, p));
}

export function sign(secret: string, toSign: string): string {
  return createHmac("sha1", secret).update(Buffer.from(toSign, "utf8")).digest("base64");
}

/** Constant-time comparison against every candidate. */
export function signatureMatches(secret: string, req: SignedRequest, signature: string): boolean {
  const given = Buffer.from(signature, "utf8");
  let ok = false;
  for (const s of stringsToSign(req)) {
    const expected = Buffer.from(sign(secret, s), "utf8");
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

/**
 * The parameters an endpoint's request schema names, and which values each takes. Without a
 * schema of named properties any name shaped like a parameter counts.
 */
export function paramShape(schema: unknown): ParamShape {
  const props = (schema as { properties?: Record<string, TSchema> } | undefined)?.properties;
  if (!props) return { isParam: (name) => /^[A-Za-z_$][\w$]*$/.test(name), accepts: () => true };
  return {
    isParam: (name) => Object.hasOwn(props, name),
    accepts(name, value) {
      if (!Object.hasOwn(props, name)) return false;
      try {
        return Value.Check(props[name]!, value);
      } catch {
        return false;
      }
    },
  };
}

/**
 * Why the request's canonical string would verify another request of the same endpoint too, or
 * undefined (docs/wire-contract.md §1.4.2, ambiguous canonical strings). `schema` is the route's body schema (or query schema
 * for GET).
 */
export function signedRequestAmbiguity(req: SignedRequest, schema: unknown): string | undefined {
  const shape = paramShape(schema);
  if (req.method.toUpperCase() === "GET") {
    return canonicalAmbiguity(Object.fromEntries(queryParams(req.url)), shape, false);
  }
  const body = req.body;
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  return canonicalAmbiguity(body as Record<string, unknown>, shape, true);
}
