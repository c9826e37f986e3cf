import { GatehouseNetworkError, GatehouseTimeoutError } from "./errors.js";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
export type Query = Record<string, unknown>;

export interface TransportOptions {
  baseUrl: string;
  /** Milliseconds before a request is abandoned (default 10 000, like the official SDK). */
  timeout?: number;
  /** Extra attempts for idempotent GETs after a network failure, timeout or 502/503/504 (default 2). */
  retries?: number;
  /** First backoff delay in ms; doubles each attempt, with jitter (default 200). */
  retryDelay?: number;
  fetch?: FetchLike;
}

export interface RawRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Query;
  /** JSON body. */
  json?: unknown;
  /** application/x-www-form-urlencoded body; undefined values are dropped. */
  form?: Record<string, string | undefined>;
  /** Headers, or a function building them per attempt (management requests sign each attempt anew). */
  headers?: Record<string, string> | (() => Promise<Record<string, string>>);
  /** Safe to repeat: retried with backoff on transient failures. */
  idempotent?: boolean;
  /** Whether a parsed answer is transient and worth retrying (e.g. an envelope with statusCode 503). */
  transient?: (status: number, body: unknown) => boolean;
}

export interface RawResponse {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: unknown;
}

/** Query strings the way axios writes them (docs/wire-contract.md §1.5): arrays as `k[]=v`, no null/undefined. */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return "";
  const parts: string[] = [];
  const enc = (v: unknown) => encodeURIComponent(typeof v === "object" ? JSON.stringify(v) : String(v));
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${encodeURIComponent(key)}[]=${enc(item)}`);
    } else {
      parts.push(`${encodeURIComponent(key)}=${enc(value)}`);
    }
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

export function encodeForm(form: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) params.append(k, v);
  return params.toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** fetch with a timeout, a distinct error for network failures, and retries for idempotent calls. */
export class Transport {
  readonly baseUrl: string;
  private readonly timeout: number;
  private readonly retries: number;
  private readonly retryDelay: number;
  private readonly fetchImpl: FetchLike;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl;
    this.timeout = options.timeout ?? 10_000;
    this.retries = options.retries ?? 2;
    this.retryDelay = options.retryDelay ?? 200;
    if (!options.fetch && typeof globalThis.fetch !== "function")
      throw new Error("No fetch implementation in this runtime: pass options.fetch");
    // Some runtimes throw "Illegal invocation" when fetch is called unbound.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async request(req: RawRequest): Promise<RawResponse> {
    const attempts = req.idempotent ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      try {
        const res = await this.once(req);
        const transient = [502, 503, 504].includes(res.status) || req.transient?.(res.status, res.body);
        if (!transient || last) return res;
      } catch (err) {
        if (!(err instanceof GatehouseNetworkError) || last) throw err;
      }
      const delay = this.retryDelay * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }

  private async once(req: RawRequest): Promise<RawResponse> {
    const url = this.baseUrl + req.path + encodeQuery(req.query);
    const extra = typeof req.headers === "function" ? await req.headers() : req.headers;
    const headers: Record<string, string> = { accept: "application/json", ...extra };
    let body: string | undefined;
    if (req.form) {
      body = encodeForm(req.form);
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers["content-type"] ??= "application/json";
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeout);
    try {
      const res = await this.fetchImpl(url, { method: req.method, headers, body, signal: controller.signal });
      const text = await res.text();
      let parsed: unknown = text;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: hand back the text (the official SDK does the same)
        }
      }
      return { status: res.status, body: parsed };
    } catch (err) {
      if (timedOut) throw new GatehouseTimeoutError({ method: req.method, url, timeout: this.timeout });
      throw new GatehouseNetworkError(`${req.method} ${url} failed: ${(err as Error)?.message ?? err}`, {
        method: req.method,
        url,
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** appHost / host canonicalisation (the official `domainC14n`, minus its localhost quirk). */
export function normaliseHost(host: string): string {
  let h = host.trim();
  if (!/^https?:\/\//i.test(h)) h = /^(localhost|127\.0\.0\.1)(:|$)/.test(h) ? `http://${h}` : `https://${h}`;
  new URL(h); // throws TypeError on garbage
  return h.replace(/\/+$/, "");
}
