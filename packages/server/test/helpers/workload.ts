import type { BootstrapInfo } from "../../src/services/admin/bootstrap.js";

/**
 * A steady write load of sign-ups and phone changes against one or more server URLs, recording
 * every write the server acknowledged (statusCode 200). Used by the crash tests and the soak
 * script. A request that failed on the network (the node was killed) is "uncertain": it may or
 * may not have committed, and the checks allow both — but nothing in between.
 */
export interface LoadTarget {
  /** The URLs currently worth trying (a killed node may be left in: its requests just fail). */
  urls(): string[];
  boot: BootstrapInfo;
  /** The latest code delivered to `to` on `channel`, or undefined after `timeoutMs`. */
  codeFor(to: string, channel: string, timeoutMs: number): Promise<string | undefined>;
}

export interface LoadRecord {
  /** email → userId, for every sign-up answered 200. */
  signups: Map<string, string>;
  /** Phone changes answered 200, in the order their workers saw them. */
  phoneChanges: { userId: string; from: string; to: string }[];
  /** update-phone calls that got no answer (may have committed). */
  uncertainPhoneChanges: number;
  requests: number;
  /** Envelope answers other than 200 (network failures are counted apart). */
  refused: Map<string, number>;
  networkFailures: number;
  /** Per-request latency in ms, for the soak report. */
  latencies: number[];
}

let phoneSeq = 0;
/** Numbers no other run of this process uses: 137 + pid + sequence. */
export function loadPhone(): string {
  phoneSeq += 1;
  return `137${String(process.pid % 10_000).padStart(4, "0")}${String(phoneSeq).padStart(4, "0")}`;
}

export function startWriteLoad(target: LoadTarget, options: { workers: number; signupsPerLoop?: number }) {
  const record: LoadRecord = {
    signups: new Map(),
    phoneChanges: [],
    uncertainPhoneChanges: 0,
    requests: 0,
    refused: new Map(),
    networkFailures: 0,
    latencies: [],
  };
  let running = true;
  let emailSeq = 0;

  /** One request to a random live URL: the envelope, or undefined when the network failed. */
  async function call(path: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
    const get = body === undefined;
    const urls = target.urls();
    const url = urls[Math.floor(Math.random() * urls.length)];
    record.requests += 1;
    const started = performance.now();
    try {
      const res = await fetch(`${url}${path}`, {
        method: get ? "GET" : "POST",
        headers: {
          "x-authing-app-id": target.boot.appId,
          ...(get ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(get ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const json = await res.json();
      record.latencies.push(performance.now() - started);
      if (json.statusCode !== 200) {
        const key = `${path} ${json.statusCode}${json.apiCode ? `/${json.apiCode}` : ""}`;
        record.refused.set(key, (record.refused.get(key) ?? 0) + 1);
      }
      return json;
    } catch {
      record.networkFailures += 1;
      // The node is down: do not spin.
      await new Promise((r) => setTimeout(r, 50));
      return undefined;
    }
  }

  const client = () => ({ client_id: target.boot.appId, client_secret: target.boot.appSecret });

  async function signUpOne(): Promise<void> {
    const email = `load-${process.pid}-${++emailSeq}-${Date.now()}@example.com`;
    const res = await call("/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { email, password: `Load-password-${emailSeq}` },
    });
    if (res?.statusCode === 200) record.signups.set(email, res.data.userId);
  }

  /** A phone user of this worker: passcode sign-in with autoRegister. Retries until it works. */
  async function phoneUser(): Promise<{ userId: string; phone: string; token: string }> {
    for (;;) {
      const phone = loadPhone();
      const sent = await call("/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: phone });
      if (sent?.statusCode !== 200) continue;
      const code = await target.codeFor(`+86${phone}`, "CHANNEL_LOGIN", 3000);
      if (!code) continue;
      const res = await call("/api/v3/signin", {
        connection: "PASSCODE",
        passCodePayload: { phone, phoneCountryCode: "+86", passCode: code },
        options: { autoRegister: true },
        ...client(),
      });
      if (res?.statusCode === 200) {
        const token = res.data.access_token as string;
        const me = await call("/api/v3/get-profile", undefined, { authorization: token });
        if (me?.statusCode === 200) return { userId: me.data.userId, phone, token };
      }
      if (!running) throw new Error("stopped before the worker had a user");
    }
  }

  /** The phone the server holds for the user now (after an unanswered change). */
  async function currentPhone(token: string): Promise<string | undefined> {
    for (let i = 0; i < 50; i++) {
      const me = await fetchProfile(token);
      if (me) return String(me.phone ?? "").replace(/^\+86/, "");
      await new Promise((r) => setTimeout(r, 200));
    }
    return undefined;
  }

  async function fetchProfile(token: string): Promise<any> {
    const res = await call("/api/v3/get-profile", undefined, { authorization: token });
    return res?.statusCode === 200 ? res.data : undefined;
  }

  /** One change of `user`'s number; "blocked": the old number cannot get a usable code for a minute. */
  async function changePhone(user: {
    userId: string;
    phone: string;
    token: string;
  }): Promise<"blocked" | undefined> {
    const auth = { authorization: user.token };
    const next = loadPhone();
    const a = await call("/api/v3/send-sms", { channel: "CHANNEL_UNBIND_PHONE", phoneNumber: user.phone });
    const b = await call("/api/v3/send-sms", { channel: "CHANNEL_BIND_PHONE", phoneNumber: next });
    // 429/2080: this number got its code less than a minute ago (an attempt cut short): reuse it.
    const oldSent = a?.statusCode === 200 || a?.apiCode === 2080;
    if (!oldSent || b?.statusCode !== 200) return;
    const [oldCode, newCode] = await Promise.all([
      target.codeFor(`+86${user.phone}`, "CHANNEL_UNBIND_PHONE", 5000),
      target.codeFor(`+86${next}`, "CHANNEL_BIND_PHONE", 5000),
    ]);
    if (!oldCode || !newCode) return;
    const verified = await call(
      "/api/v3/verify-update-phone-request",
      {
        verifyMethod: "PHONE_PASSCODE",
        phonePassCodePayload: {
          newPhoneNumber: next,
          newPhonePassCode: newCode,
          newPhoneCountryCode: "+86",
          oldPhoneNumber: user.phone,
          oldPhonePassCode: oldCode,
          oldPhoneCountryCode: "+86",
        },
      },
      auth,
    );
    if (verified?.statusCode !== 200) {
      // The reused code was spent by a verify a crash cut short, and the cooldown keeps a new one
      // away for a minute: the worker carries on with another user instead of stalling.
      return a?.apiCode === 2080 && verified?.apiCode === 2300 ? "blocked" : undefined;
    }
    const res = await call(
      "/api/v3/update-phone",
      { updatePhoneToken: verified.data.updatePhoneToken },
      auth,
    );
    if (res?.statusCode === 200) {
      record.phoneChanges.push({ userId: user.userId, from: `+86${user.phone}`, to: `+86${next}` });
      user.phone = next;
    } else if (res === undefined) {
      record.uncertainPhoneChanges += 1;
      user.phone = (await currentPhone(user.token)) ?? user.phone;
    }
  }

  async function worker(): Promise<void> {
    let user = await phoneUser();
    while (running) {
      for (let i = 0; i < (options.signupsPerLoop ?? 1) && running; i++) await signUpOne();
      if (running && (await changePhone(user)) === "blocked") user = await phoneUser();
    }
  }

  const done = Promise.allSettled(Array.from({ length: options.workers }, () => worker()));
  return {
    record,
    /** Stop issuing requests and wait for the workers' last ones. */
    async stop(): Promise<LoadRecord> {
      running = false;
      await done;
      return record;
    },
  };
}
