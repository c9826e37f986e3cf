/**
 * The load generator, in its own process (forked by load.ts): runs autocannon for one job and
 * sends the result back over IPC. Targets 127.0.0.1 only; every run is bounded by its duration.
 */
import { createRequire } from "node:module";
import type { LoadJob, LoadResult, Plan, RequestSpec, WindowResult } from "./load-types.js";
import { TotpUsers } from "./totp-users.js";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");

/**
 * Paced rates. autocannon 9 limits a connection's rate per second by sending its whole budget back
 * to back at the start of every second, then waiting for the next (its issue #174, open): a load at
 * half the maximum is a saturating burst for the first half of each second and silence after, so
 * its latencies read like the maximum's (a p50 at half the rate above the p50 at the full rate, in
 * the bench's own results). No option spaces the requests, and no load generator on npm does it
 * for autocannon's request plans, so its client's send is wrapped here (autocannon is pinned):
 * a connection with a rate sends its next request no sooner than 1/rate after the previous one was
 * due, the connections spread over the first interval; one that falls behind sends at once, as
 * before. Its per-second budget is then never reached, so it never pauses.
 */
const Client = require("autocannon/lib/httpClient.js");
const send = Client.prototype._doRequest;
Client.prototype._doRequest = function paced(this: any, ...args: unknown[]) {
  if (!this.rate) return send.apply(this, args);
  const gap = 1000 / this.rate;
  const now = performance.now();
  this.dueAt ??= now + Math.random() * gap;
  if (this.dueAt - now > 0.5) {
    this.pacing ??= setTimeout(() => {
      this.pacing = undefined;
      if (!this.destroyed) paced.apply(this, args);
    }, this.dueAt - now);
    return;
  }
  this.dueAt = Math.max(this.dueAt, now - gap) + gap;
  this.reqsMadeThisSecond = 0;
  return send.apply(this, args);
};

type AcRequest = Record<string, unknown>;

interface Counters {
  exhausted: boolean;
  samples: Set<string>;
  stop?: () => void;
  /** Counts a wrong answer in the current window (plans that judge each step themselves). */
  bodyError?: () => void;
}

function dig(obj: unknown, dotted: string): unknown {
  let v = obj as any;
  for (const k of dotted.split(".")) v = v?.[k];
  return v;
}

/** Replaces `{key}` (raw) and its form-encoded spelling `%7Bkey%7D` (URL-encoded value). */
function fill(text: string | undefined, key: string, value: string): string | undefined {
  return text?.replaceAll(`{${key}}`, value).replaceAll(`%7B${key}%7D`, encodeURIComponent(value));
}

function sample(c: Counters, status: number, body: string) {
  if (c.samples.size < 5) c.samples.add(`${status} ${body.slice(0, 300)}`);
}

/** Sent once prepared items ran out (the run is stopping): harmless, never a failed sign-in. */
const IDLE: AcRequest = { method: "GET", path: "/health", headers: {}, body: undefined };

function toAc(spec: RequestSpec): AcRequest {
  return { method: spec.method, path: spec.path, headers: spec.headers ?? {}, body: spec.body };
}

/** Every user has had the current step (or the run is stopping): stop, as when items run out. */
function exhaust(c: Counters, req: AcRequest): AcRequest {
  c.exhausted = true;
  c.stop?.();
  return { ...req, ...IDLE };
}

function totpRequests(plan: Extract<Plan, { kind: "totp" }>, c: Counters): AcRequest[] {
  const users = new TotpUsers(plan.users.map((u) => u.secret));
  const specs = plan.users.map((u) => u.request);
  const withCode = (spec: RequestSpec, code: string, captured?: string): AcRequest => {
    let headers = spec.headers ?? {};
    let body = fill(spec.body, "totp", code);
    if (captured !== undefined) {
      headers = Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k, fill(v, "captured", captured)!]),
      );
      body = fill(body, "captured", captured);
    }
    return { method: spec.method, path: spec.path, headers, body };
  };
  const { second } = plan;
  if (!second) {
    return [
      {
        setupRequest: (req: AcRequest, ctx: Record<string, unknown>) => {
          const user = users.take();
          ctx.user = user;
          if (user === undefined) return exhaust(c, req);
          return { ...req, ...withCode(specs[user]!, users.code(user)) };
        },
        onResponse: (_status: number, _body: string, ctx: Record<string, unknown>) => {
          if (ctx.user !== undefined) users.release(ctx.user as number);
        },
      },
    ];
  }
  const failed = (status: number, body: string) => {
    c.bodyError?.();
    sample(c, status, body);
  };
  return [
    {
      // Step one: a user whose step is not spent signs in; the user is held until step two is answered.
      setupRequest: (req: AcRequest, ctx: Record<string, unknown>) => {
        const user = users.take();
        ctx.user = user;
        ctx.captured = undefined;
        if (user === undefined) return exhaust(c, req);
        return { ...req, ...toAc(specs[user]!) };
      },
      onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
        if (ctx.user === undefined) return;
        let v: unknown;
        try {
          v = dig(JSON.parse(body), second.capture);
        } catch {
          v = undefined;
        }
        if (typeof v === "string") ctx.captured = v;
        else {
          users.release(ctx.user as number);
          failed(status, body);
        }
      },
    },
    {
      // Step two: the code of the moment it is sent. Returning nothing restarts at step one.
      setupRequest: (req: AcRequest, ctx: Record<string, unknown>) => {
        if (typeof ctx.captured !== "string") return undefined;
        const user = ctx.user as number;
        return { ...req, ...withCode(second.request, users.code(user), ctx.captured) };
      },
      onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
        users.release(ctx.user as number);
        if (!body.includes(second.expect)) failed(status, body);
      },
    },
  ];
}

function requestsFor(plan: Plan, c: Counters): AcRequest[] {
  switch (plan.kind) {
    case "fixed":
      return [toAc(plan.request)];
    case "rotate": {
      let i = 0;
      const all = plan.requests.map(toAc);
      return [{ setupRequest: (req: AcRequest) => ({ ...req, ...all[i++ % all.length] }) }];
    }
    case "unique": {
      let n = 0;
      const { request, prefix, pad = 0 } = plan;
      return [
        {
          setupRequest: (req: AcRequest) => {
            const id = `${prefix}${String(n++).padStart(pad, "0")}`;
            return {
              ...req,
              ...toAc(request),
              path: fill(request.path, "n", id),
              body: fill(request.body, "n", id),
            };
          },
        },
      ];
    }
    case "once": {
      let i = 0;
      const all = plan.requests.map(toAc);
      return [
        {
          setupRequest: (req: AcRequest) => {
            if (i >= all.length) {
              c.exhausted = true;
              c.stop?.();
              return { ...req, ...IDLE };
            }
            return { ...req, ...all[i++] };
          },
        },
      ];
    }
    case "chain": {
      const pool = [...plan.seeds];
      const { request, capture } = plan;
      return [
        {
          setupRequest: (req: AcRequest, ctx: Record<string, unknown>) => {
            const value = pool.shift();
            if (value === undefined) {
              c.exhausted = true;
              c.stop?.();
            }
            ctx.value = value;
            return {
              ...req,
              ...toAc(request),
              path: fill(request.path, "value", value ?? ""),
              body: fill(request.body, "value", value ?? ""),
            };
          },
          onResponse: (status: number, body: string) => {
            let next: unknown;
            try {
              next = dig(JSON.parse(body), capture);
            } catch {
              next = undefined;
            }
            if (typeof next === "string") pool.push(next);
            else sample(c, status, body);
          },
        },
      ];
    }
    case "pair": {
      // Pairs of one caller (same authorization) run one at a time: a change-phone pair starts
      // from the number the caller's previous pair left, so two of them must not overlap. A pair
      // whose caller is busy waits in `deferred` and goes first once the caller is free.
      let i = 0;
      const firsts = plan.first.map(toAc);
      const { second, capture } = plan;
      const callerOf = (k: number) => String((firsts[k].headers as Record<string, string>).authorization);
      const busy = new Set<string>();
      const deferred: number[] = [];
      const nextFree = (): number | undefined => {
        const d = deferred.findIndex((k) => !busy.has(callerOf(k)));
        if (d >= 0) return deferred.splice(d, 1)[0];
        while (i < firsts.length) {
          const k = i++;
          if (!busy.has(callerOf(k))) return k;
          deferred.push(k);
        }
        return undefined;
      };
      const done = (ctx: Record<string, unknown>) => busy.delete(ctx.caller as string);
      return [
        {
          setupRequest: (req: AcRequest, ctx: Record<string, unknown>) => {
            const k = nextFree();
            if (k === undefined) {
              c.exhausted = true;
              c.stop?.();
              ctx.caller = undefined;
              return { ...req, ...IDLE };
            }
            const first = firsts[k];
            ctx.caller = callerOf(k);
            busy.add(ctx.caller as string);
            ctx.headers = first.headers;
            return { ...req, ...first };
          },
          onResponse: (status: number, body: string, ctx: Record<string, unknown>) => {
            let v: unknown;
            try {
              v = dig(JSON.parse(body), capture);
            } catch {
              v = undefined;
            }
            ctx.captured = typeof v === "string" ? v : undefined;
            if (ctx.captured === undefined) {
              done(ctx);
              if (ctx.caller !== undefined) sample(c, status, body);
            }
          },
        },
        {
          // Returning nothing restarts at step one (the first step failed; already counted).
          setupRequest: (req: AcRequest, ctx: Record<string, unknown>) => {
            if (typeof ctx.captured !== "string") return undefined;
            return {
              ...req,
              ...toAc(second),
              headers: { ...(ctx.headers as Record<string, string>), ...second.headers },
              body: fill(second.body, "captured", ctx.captured),
            };
          },
          onResponse: (_status: number, _body: string, ctx: Record<string, unknown>) => done(ctx),
        },
      ];
    }
    case "totp":
      return totpRequests(plan, c);
    case "code-flow": {
      let i = 0;
      const all = plan.authorize.map(toAc);
      const { token } = plan;
      return [
        {
          setupRequest: (req: AcRequest) => ({ ...req, ...all[i++ % all.length] }),
          onResponse: (
            status: number,
            body: string,
            ctx: Record<string, unknown>,
            headers?: Record<string, string>,
          ) => {
            const location = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === "location")?.[1];
            let code: string | null = null;
            try {
              code = location ? new URL(location, "http://127.0.0.1").searchParams.get("code") : null;
            } catch {
              code = null;
            }
            ctx.code = code ?? undefined;
            if (!code) sample(c, status, `${body} location=${location}`);
          },
        },
        {
          // Returning nothing restarts at step one (no code came back; already counted).
          setupRequest: (req: AcRequest, ctx: Record<string, unknown>) => {
            if (typeof ctx.code !== "string") return undefined;
            return { ...req, ...toAc(token), body: fill(token.body, "code", ctx.code) };
          },
          onResponse: (status: number, body: string) => {
            if (status !== 200) sample(c, status, body);
          },
        },
      ];
    }
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 100) / 100;
}

class Window {
  latencies = new Float64Array(1024);
  n = 0;
  non2xx = 0;
  bodyErrors = 0;
  add(ms: number) {
    if (this.n === this.latencies.length) {
      const next = new Float64Array(this.n * 2);
      next.set(this.latencies);
      this.latencies = next;
    }
    this.latencies[this.n++] = ms;
  }
  result(durationSec: number): WindowResult {
    const sorted = this.latencies.subarray(0, this.n).sort();
    return {
      requests: this.n,
      rps: this.n / durationSec,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      non2xx: this.non2xx,
      bodyErrors: this.bodyErrors,
    };
  }
}

export async function runJob(job: LoadJob): Promise<LoadResult> {
  const c: Counters = { exhausted: false, samples: new Set() };
  const url = new URL(job.url);
  if (url.hostname !== "127.0.0.1") throw new Error(`load generator only targets 127.0.0.1, not ${url.host}`);
  const windows = Array.from({ length: job.windows }, () => new Window());
  const t0 = performance.now();
  const windowAt = (): Window | undefined => {
    const t = (performance.now() - t0) / 1000 - job.warmupSec;
    return t < 0 ? undefined : windows[Math.floor(t / job.durationSec)];
  };
  c.bodyError = () => {
    const w = windowAt();
    if (w) w.bodyErrors++;
  };
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      duration: job.warmupSec + job.windows * job.durationSec,
      overallRate: job.overallRate,
      timeout: 10,
      requests: requestsFor(job.plan, c),
      // The body is collected by autocannon anyway; a substring test is all this costs.
      verifyBody: job.expect
        ? (body: string) => {
            if (body.includes(job.expect!)) return true;
            const w = windowAt();
            if (w) w.bodyErrors++;
            sample(c, 200, body);
            return true;
          }
        : undefined,
    },
    () => {},
  );
  let stoppedAt = Number.POSITIVE_INFINITY;
  c.stop = () => {
    stoppedAt = Math.min(stoppedAt, (performance.now() - t0) / 1000);
    instance.stop();
  };
  let answered = 0;
  const failedFrom = job.redirectsOk ? 400 : 300;
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if ((performance.now() - t0) / 1000 <= stoppedAt) answered++;
    const w = windowAt();
    if (w) {
      w.add(ms);
      if (status < 200 || status >= failedFrom) w.non2xx++;
    }
    if (status >= failedFrom && c.samples.size < 5) c.samples.add(`HTTP ${status}`);
  });
  const result = await new Promise<any>((resolve, reject) => {
    instance.on("done", resolve);
    instance.on("error", reject);
  });
  return {
    // Only windows that ran to their end count (items can run out early).
    windows: windows
      .filter((_, k) => job.warmupSec + (k + 1) * job.durationSec <= stoppedAt)
      .map((w) => w.result(job.durationSec)),
    errors: result.errors + result.timeouts,
    exhausted: c.exhausted,
    answered,
    elapsedSec: Math.min(stoppedAt, (performance.now() - t0) / 1000),
    samples: [...c.samples],
  };
}

process.once("message", (job: LoadJob) => {
  runJob(job).then(
    (r) => process.send!({ ok: true, result: r }, () => process.exit(0)),
    (err) => process.send!({ ok: false, error: String(err?.stack ?? err) }, () => process.exit(1)),
  );
});
