import { randomBytes } from "node:crypto";
// The official SDK's own signing code, so the tests sign exactly as ManagementClient does.
import {
  buildAuthorization,
  buildStringToSign,
  DEFAULT_HEADERS,
} from "authing-node-sdk/dist/utils/buildSignature.js";
import axios from "axios";
import { newId, newSecret } from "../../src/lib/ids.js";
import type { Harness } from "./harness.js";

export interface SignOptions {
  /** Query params (GET) — serialised on the wire as axios does. */
  params?: Record<string, unknown>;
  /** JSON body (other methods). */
  body?: unknown;
  key?: { id: string; secret: string };
  /** Header overrides applied after signing (`undefined` removes a header). */
  tamperHeaders?: Record<string, string | undefined>;
  /** Headers changed before signing. */
  headers?: Record<string, string | undefined>;
  /** Epoch ms for the `date` header; default: the harness clock. */
  at?: number;
  nonce?: string;
  /** Replace the wire URL / body after signing (forgery tests). */
  wireUrl?: string;
  wireBody?: string;
}

/** Builds the exact headers, URL and body ManagementClient would send. */
export function signedRequest(h: Harness, method: "GET" | "POST", path: string, opts: SignOptions = {}) {
  const key = opts.key ?? { id: h.boot.userPoolId, secret: h.boot.userPoolSecret };
  const headers: Record<string, string> = { ...DEFAULT_HEADERS() };
  headers["x-authing-lang"] = "zh-CN";
  headers.date = new Date(opts.at ?? h.ctx.clock.now()).toUTCString();
  if (opts.nonce) headers["x-authing-signature-nonce"] = opts.nonce;
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  const sts = buildStringToSign(
    method,
    path,
    headers,
    method === "GET" ? opts.params || {} : (opts.body as any) || {},
  );
  headers.authorization = buildAuthorization(key.id, key.secret, sts);
  for (const [k, v] of Object.entries(opts.tamperHeaders ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  const url = opts.wireUrl ?? axios.getUri({ url: path, params: method === "GET" ? opts.params : undefined });
  const payload = opts.wireBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  return { method, url, headers, payload };
}

/** Sends a signed management request to the harness app and returns the envelope. */
export async function mgmt(
  h: Harness,
  method: "GET" | "POST",
  path: string,
  opts: SignOptions = {},
): Promise<any> {
  const req = signedRequest(h, method, path, opts);
  const res = await h.inject({ method, url: req.url, headers: req.headers, payload: req.payload });
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
  return res.json();
}

/** A second user pool with its own key, for tenancy tests. */
export async function createOtherPool(h: Harness): Promise<{ id: string; secret: string }> {
  const now = h.ctx.clock.now();
  const pool = { id: newId(), secret: newSecret() };
  await h.ctx.repos.pools.insertPool({
    ...pool,
    secret: h.ctx.keys.box.seal("pool-secret", pool.id, pool.secret),
    name: "other",
    settings: "{}",
    created_at: now,
    updated_at: now,
  });
  return pool;
}

export function randomNonce(): string {
  return randomBytes(16).toString("hex");
}
