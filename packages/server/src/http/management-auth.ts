import { timingSafeEqual } from "node:crypto";
import { stringToSign } from "@gatehouse/protocol";
import type { FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ApiError, bilingual } from "../errors.js";
import "./language.js";
import {
  arrayParamsOf,
  matchingSignature,
  parseSignatureAuthorization,
  sign,
  signedRequestAmbiguity,
} from "../services/admin/management-signature.js";

/** Who is calling the management API: an access key, and the one pool it may touch. */
export interface ManagementPrincipal {
  poolId: string;
  accessKeyId: string;
  via: "signature" | "token";
}

declare module "fastify" {
  interface FastifyRequest {
    management?: ManagementPrincipal;
  }
}

/** ±15 minutes around server time (docs/wire-contract.md §1.4.2, "Optional hardening"). */
export const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `date` as the SDK sends it (`toUTCString()`), or epoch milliseconds. */
function parseDate(value: string): number {
  return /^\d{10,16}$/.test(value) ? Number(value) : Date.parse(value);
}

async function verifySignature(ctx: Context, request: FastifyRequest): Promise<ManagementPrincipal> {
  const auth = parseSignatureAuthorization(header(request, "authorization"));
  if (!auth)
    throw new ApiError("SIGNATURE_INVALID", {
      texts: bilingual("authorization 请求头格式错误", "Malformed authorization header"),
    });
  if (header(request, "x-authing-signature-method") !== "HMAC-SHA1") throw new ApiError("SIGNATURE_METHOD");
  if (header(request, "x-authing-signature-version") !== "1.0") throw new ApiError("SIGNATURE_VERSION");
  const date = header(request, "date");
  if (!date) throw new ApiError("SIGNATURE_DATE_MISSING");
  const at = parseDate(date);
  if (Number.isNaN(at)) throw new ApiError("SIGNATURE_DATE_FORMAT");
  if (Math.abs(ctx.clock.now() - at) > SIGNATURE_WINDOW_MS) throw new ApiError("SIGNATURE_DATE_SKEW");

  const schema = request.routeOptions.schema;
  const signed = {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body,
    arrayParams: request.method === "GET" ? arrayParamsOf(schema?.querystring) : undefined,
  };
  const ambiguity = signedRequestAmbiguity(
    signed,
    request.method === "GET" ? schema?.querystring : schema?.body,
  );
  if (ambiguity) {
    throw new ApiError("SIGNATURE_AMBIGUOUS", {
      texts: bilingual(`签名请求有歧义：${ambiguity.zh}`, `The signed request is ambiguous: ${ambiguity.en}`),
    });
  }
  const key = await ctx.admin.accessKeys.resolve(auth.accessKeyId);
  const match = key ? matchingSignature(key.secret, signed, auth.signature) : undefined;
  if (!key || !match) throw new ApiError("SIGNATURE_INVALID");

  const nonce = header(request, "x-authing-signature-nonce");
  if (!nonce || nonce.length > 128) {
    throw new ApiError("SIGNATURE_INVALID", {
      texts: bilingual(
        "缺少 x-authing-signature-nonce 请求头或其格式错误",
        "Missing or malformed x-authing-signature-nonce header",
      ),
    });
  }
  // Recorded only after the signature holds, so forged requests cannot burn nonces.
  if (!(await ctx.nonces.claim(key.accessKeyId, nonce, at + SIGNATURE_WINDOW_MS))) {
    throw new ApiError("SIGNATURE_REPLAY");
  }
  restoreEmptiedArrays(request, match.emptied);
  return { poolId: key.poolId, accessKeyId: key.accessKeyId, via: "signature" };
}

/**
 * The caller signed these array parameters as `[]` and the URL lost them: give them back, so the
 * endpoint answers what is really wrong ("userIds must not be empty") rather than "missing".
 */
function restoreEmptiedArrays(request: FastifyRequest, emptied: readonly string[]): void {
  if (emptied.length === 0) return;
  const q = (request.query ?? {}) as Record<string, unknown>;
  for (const k of emptied) q[k] = [];
  request.query = q;
}

async function verifyToken(ctx: Context, request: FastifyRequest, token: string) {
  const claims = await ctx.admin.managementTokens.verify(token);
  const poolHeader = header(request, "x-authing-userpool-id");
  if (poolHeader !== undefined && poolHeader !== claims.poolId)
    throw new ApiError("MANAGEMENT_POOL_MISMATCH");
  return { poolId: claims.poolId, accessKeyId: claims.accessKeyId, via: "token" as const };
}

/** axios sends arrays as `k[]=a&k[]=b`; schemas name the field `k`. */
function foldArrayQueryKeys(request: FastifyRequest): void {
  const q = request.query as Record<string, unknown> | undefined;
  if (!q || typeof q !== "object") return;
  for (const k of Object.keys(q)) {
    if (!k.endsWith("[]")) continue;
    const base = k.slice(0, -2);
    const v = q[k];
    q[base] = Array.isArray(v) ? v : [v];
    delete q[k];
  }
}

/**
 * preValidation hook of every management route: runs after the body is parsed and before the
 * schema validator (which fills defaults) touches it, so the signed fields are the sent ones.
 */
export function requireManagement(ctx: Context) {
  return async (request: FastifyRequest) => {
    const authorization = header(request, "authorization")?.trim();
    if (!authorization) throw new ApiError("MANAGEMENT_AUTH_MISSING");
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    request.management = bearer
      ? await verifyToken(ctx, request, bearer[1]!)
      : await verifySignature(ctx, request);
    foldArrayQueryKeys(request);
    // Only a caller naming no language reads the pool's default: GenAuth's SDKs always name one.
    if (!request.headers["x-authing-lang"] && !request.headers["accept-language"]) {
      request.poolLanguage = (await ctx.admin.poolSettings.get(request.management.poolId)).defaultLanguage;
    }
  };
}

/** The authenticated caller; only call behind `requireManagement`. */
export function managementOf(request: FastifyRequest): ManagementPrincipal {
  if (!request.management)
    throw new Error("management caller not resolved: route is missing requireManagement");
  return request.management;
}

/**
 * The management event stream's credential (docs/events.md#the-live-stream): the SDK signs the
 * fixed string of method `websocket` with no date or nonce, so the signature never changes for a
 * key — it proves the key's secret but not freshness, like a bearer token. A management token is
 * accepted too. Undefined: refused.
 */
export async function streamManagementPrincipal(
  ctx: Context,
  authorization: string | undefined,
): Promise<ManagementPrincipal | undefined> {
  const value = authorization?.trim();
  if (!value) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(value);
  if (bearer) {
    try {
      const claims = await ctx.admin.managementTokens.verify(bearer[1]!);
      return { poolId: claims.poolId, accessKeyId: claims.accessKeyId, via: "token" };
    } catch {
      return undefined;
    }
  }
  const auth = parseSignatureAuthorization(value);
  if (!auth) return undefined;
  const key = await ctx.admin.accessKeys.resolve(auth.accessKeyId);
  if (!key) return undefined;
  const expected = Buffer.from(sign(key.secret, stringToSign("websocket", "", {}, {})), "utf8");
  const given = Buffer.from(auth.signature, "utf8");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return { poolId: key.poolId, accessKeyId: key.accessKeyId, via: "signature" };
}
