import { createHmac, timingSafeEqual } from "node:crypto";
import {
  type Ambiguity,
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
  /** GET: the endpoint's array parameters (arrayParamsOf its query schema). */
  arrayParams?: readonly string[];
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

/** One parameter object the SDK may have signed, and the array parameters it holds as `[]`. */
interface Candidate {
  params: Record<string, string | undefined>;
  /** Array parameters absent from the wire that this candidate signed as empty arrays. */
  emptied: string[];
}

/** At most this many absent array parameters are tried as `[]` (2^n candidates). */
const MAX_EMPTIED = 3;

/** Every subset of `names`, the empty one first. */
function subsets(names: readonly string[]): string[][] {
  let out: string[][] = [[]];
  for (const name of names) out = [...out, ...out.map((s) => [...s, name])];
  return out;
}

/**
 * The parameter objects the SDK may have signed for this request (usually exactly one). With none
 * on the wire it signed either no parameters (`path`) or only undefined ones (`path?`). A GET
 * array parameter that is absent may have been an empty array: the SDK signs it as `k=[]` while
 * axios leaves it out of the URL (docs/wire-contract.md §1.4.2, empty arrays).
 */
function candidateParams(req: SignedRequest): Candidate[] {
  const isGet = req.method.toUpperCase() === "GET";
  const params = isGet ? queryParams(req.url) : bodyParams(req.body);
  const absentArrays = isGet
    ? (req.arrayParams ?? []).filter((k) => !params.has(k)).slice(0, MAX_EMPTIED)
    : [];
  const out: Candidate[] = [];
  for (const emptied of subsets(absentArrays)) {
    const signed = new Map(params);
    for (const k of emptied) signed.set(k, "[]");
    if (signed.size === 0) out.push({ params: {}, emptied }, { params: { unset: undefined }, emptied });
    else out.push({ params: Object.fromEntries(signed), emptied });
  }
  return out;
}

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** The canonical resources the SDK may have signed for this request (usually exactly one). */
export function canonicalResources(
  method: string,
  url: string,
  body: unknown,
  arrayParams?: readonly string[],
): string[] {
  const path = pathOf(url);
  return candidateParams({ method, url, headers: {}, body, arrayParams }).map((c) =>
    canonicalResource(path, c.params),
  );
}

function candidateStrings(req: SignedRequest): { toSign: string; emptied: string[] }[] {
  const method = req.method.toUpperCase();
  const path = pathOf(req.url);
  const headers = sentHeaders(req.headers);
  return candidateParams(req).map((c) => ({
    toSign: stringToSign(method, path, headers, c.params),
    emptied: c.emptied,
  }));
}

export function stringsToSign(req: SignedRequest): string[] {
  return candidateStrings(req).map((c) => c.toSign);
}

export function sign(secret: string, toSign: string): string {
  return createHmac("sha1", secret).update(Buffer.from(toSign, "utf8")).digest("base64");
}

/**
 * The candidate the signature verifies, compared in constant time against every one: the array
 * parameters it signed as empty (usually none), or undefined when none verifies.
 */
export function matchingSignature(
  secret: string,
  req: SignedRequest,
  signature: string,
): { emptied: string[] } | undefined {
  const given = Buffer.from(signature, "utf8");
  let match: { emptied: string[] } | undefined;
  for (const c of candidateStrings(req)) {
    const expected = Buffer.from(sign(secret, c.toSign), "utf8");
    if (expected.length === given.length && timingSafeEqual(expected, given))
      match ??= { emptied: c.emptied };
  }
  return match;
}

export function signatureMatches(secret: string, req: SignedRequest, signature: string): boolean {
  return matchingSignature(secret, req, signature) !== undefined;
}

/** The array-typed parameters of an endpoint's query schema. */
export function arrayParamsOf(schema: unknown): string[] {
  const props = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
  if (!props) return [];
  return Object.keys(props)
    .filter((k) => props[k]?.type === "array")
    .sort();
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
export function signedRequestAmbiguity(req: SignedRequest, schema: unknown): Ambiguity | undefined {
  const shape = paramShape(schema);
  if (req.method.toUpperCase() === "GET") {
    return canonicalAmbiguity(Object.fromEntries(queryParams(req.url)), shape, false);
  }
  const body = req.body;
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  return canonicalAmbiguity(body as Record<string, unknown>, shape, true);
}
