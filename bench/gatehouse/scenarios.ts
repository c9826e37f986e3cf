import type { BootstrapInfo } from "@gatehouse/server/dist/services/bootstrap.js";
import type { HttpScenario, Log, Settings } from "../lib/measure.js";
import type { ServerProcess } from "../lib/proc.js";
import type { Dialect, FreshDatabase } from "./database.js";

export interface ScenarioEnv {
  dialect: Dialect;
  db: FreshDatabase;
  server: ServerProcess;
  boot: BootstrapInfo;
  users: number;
  settings: Settings;
  log: Log;
  /** Set for the scale run: only sign-in and get-profile, named `<dialect>:<scale>:…`. */
  scale?: string;
}

/** Calls /api/v3 as the default app; throws unless the envelope says 200. */
export async function api(
  env: ScenarioEnv,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<any> {
  const res = await fetch(env.server.url + path, {
    method,
    headers: {
      "x-authing-app-id": env.boot.appId,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path} answered HTTP ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  if (res.status !== 200 || parsed.statusCode !== 200) {
    throw new Error(`${method} ${path} answered HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return parsed;
}

export async function scenariosFor(
  env: ScenarioEnv,
): Promise<{ list: HttpScenario[]; close(): Promise<void> }> {
  const name = (s: string) => `${env.dialect}:${env.scale ? `${env.scale}:` : ""}${s}`;
  const base = { pid: env.server.pid, url: env.server.url };
  const appHeaders = { "x-authing-app-id": env.boot.appId };
  const list: HttpScenario[] = [
    {
      ...base,
      name: name("country-list"),
      ceiling: "ceiling:fastify-json",
      verify: async () => void (await api(env, "GET", "/api/v3/get-country-list")),
      job: async () => ({
        plan: {
          kind: "fixed",
          request: { method: "GET", path: "/api/v3/get-country-list", headers: appHeaders },
        },
        envelope: true,
      }),
    },
  ];
  return { list, close: async () => {} };
}
