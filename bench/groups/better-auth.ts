import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BENCH_PASSWORD } from "../gatehouse/seed.js";
import { type Log, measureHttp, type Row, type Settings } from "../lib/measure.js";
import { freePort, spawnServer } from "../lib/proc.js";
import { ARGON2_CEILING, V3_CEILING } from "./ceilings.js";

/** Better Auth sign-up, sign-in and get-session, with the same load settings as Gatehouse. */
export async function betterAuthGroup(settings: Settings, log: Log): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-bench-better-auth-"));
  const port = await freePort();
  const server = await spawnServer({
    name: "better-auth",
    args: ["--import", "tsx", new URL("../servers/better-auth.ts", import.meta.url).pathname],
    env: { PORT: String(port), DB_FILE: path.join(dir, "auth.db") },
    port,
    logFile: path.join(dir, "server.log"),
  });
  // Better Auth wants an Origin on browser-like requests (fetch sends sec-fetch-mode); a browser
  // on the app's own origin would send this one.
  const json = { "content-type": "application/json", origin: server.url };
  const post = async (p: string, body: unknown) => {
    const res = await fetch(server.url + p, { method: "POST", headers: json, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`better-auth ${p} answered ${res.status}: ${await res.text()}`);
    return res;
  };
  try {
    // Accounts for sign-in and sessions for get-session (one per connection is plenty).
    const users = Array.from({ length: settings.connections }, (_, i) => `seed-${i}@bench.test`);
    const cookies: string[] = [];
    for (const email of users) {
      const res = await post("/api/auth/sign-up/email", { email, password: BENCH_PASSWORD, name: "Bench" });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="));
      if (!cookie) throw new Error("better-auth sign-up set no session cookie");
      cookies.push(cookie.split(";")[0]);
    }
    const rows: Row[] = [];
    const base = { pid: server.pid, url: server.url };
    rows.push(
      await measureHttp(
        {
          ...base,
          name: "better-auth:get-session",
          ceiling: V3_CEILING,
          verify: async () => {
            const res = await fetch(`${server.url}/api/auth/get-session`, {
              headers: { cookie: cookies[0] },
            });
            const body = (await res.json()) as { user?: unknown } | null;
            if (res.status !== 200 || !body?.user)
              throw new Error("better-auth get-session returned no session");
          },
          job: async () => ({
            plan: {
              kind: "rotate",
              requests: cookies.map((cookie) => ({
                method: "GET",
                path: "/api/auth/get-session",
                headers: { cookie },
              })),
            },
            expect: '"user"',
          }),
        },
        settings,
        log,
      ),
    );
    rows.push(
      await measureHttp(
        {
          ...base,
          name: "better-auth:sign-in",
          ceiling: ARGON2_CEILING,
          slow: true,
          note: "scrypt (Better Auth's default), not argon2id",
          verify: async () =>
            void (await post("/api/auth/sign-in/email", { email: users[0], password: BENCH_PASSWORD })),
          job: async () => ({
            plan: {
              kind: "rotate",
              requests: users.map((email) => ({
                method: "POST",
                path: "/api/auth/sign-in/email",
                headers: json,
                body: JSON.stringify({ email, password: BENCH_PASSWORD }),
              })),
            },
            expect: '"token"',
          }),
        },
        settings,
        log,
      ),
    );
    rows.push(
      await measureHttp(
        {
          ...base,
          name: "better-auth:sign-up",
          ceiling: ARGON2_CEILING,
          slow: true,
          note: "scrypt (Better Auth's default), hashed inside its transaction",
          verify: async () =>
            void (await post("/api/auth/sign-up/email", {
              email: `verify-${Date.now()}-${Math.random()}@bench.test`,
              password: BENCH_PASSWORD,
              name: "V",
            })),
          job: async () => ({
            plan: {
              kind: "unique",
              prefix: `r${Date.now()}-`,
              request: {
                method: "POST",
                path: "/api/auth/sign-up/email",
                headers: json,
                body: JSON.stringify({ email: "{n}@bench.test", password: BENCH_PASSWORD, name: "Bench" }),
              },
            },
            expect: '"token"',
          }),
        },
        settings,
        log,
      ),
    );
    return rows;
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
