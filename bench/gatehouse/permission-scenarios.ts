import { V3_CEILING } from "../groups/ceilings.js";
import type { RequestSpec } from "../lib/load-types.js";
import type { HttpScenario } from "../lib/measure.js";
import { growResources, resourceCode, seedAuthz } from "./authz.js";
import { call, type ScenarioEnv, signIn, spread } from "./scenarios.js";
import { seededUser } from "./seed.js";

const OK = '"statusCode":200';
const SMALL = 1000;
const LARGE = 100_000;

/**
 * check-permission-string-resource for users holding 5 roles and 3 groups, in a namespace of 1,000
 * resources, then of 100,000 (the second scenario grows the namespace before its load). Each request
 * checks one resource, allowed or not, rotating over users and resources.
 */
export async function permissionScenarios(env: ScenarioEnv): Promise<HttpScenario[]> {
  const base = { pid: env.server.pid, url: env.server.url };
  const name = (s: string) => `${env.dialect}:${s}`;
  const users = spread(env.users, env.settings.quick ? 50 : 100, 1);
  await seedAuthz(
    env.db.url,
    env.boot,
    users.map((i) => seededUser(i).id),
    SMALL,
  );
  const tokens = await signIn(env, users);
  const check = (token: string, k: number): RequestSpec => ({
    method: "POST",
    path: "/api/v3/check-permission-string-resource",
    headers: { "x-authing-app-id": env.boot.appId, "content-type": "application/json", authorization: token },
    body: JSON.stringify({ resources: [resourceCode((k * 37) % SMALL)], action: "read" }),
  });
  const plan = () =>
    tokens.access.flatMap((t, u) => Array.from({ length: 10 }, (_, j) => check(t, u * 10 + j)));
  const verify = async () => {
    const r = await call(env, check(tokens.access[0]!, 0));
    if (r.data.checkResultList[0].enabled !== true)
      throw new Error(`res-000000 should be allowed: ${JSON.stringify(r)}`);
  };
  return [
    {
      ...base,
      name: name("check-permission-string-resource"),
      ceiling: V3_CEILING,
      verify,
      job: async () => ({ plan: { kind: "rotate", requests: plan() }, expect: OK }),
    },
    {
      ...base,
      name: name("check-permission-string-resource@100k"),
      ceiling: V3_CEILING,
      job: async () => {
        const t = Date.now();
        await growResources(env.db.url, env.boot, SMALL, LARGE);
        env.log(`  grew the namespace to ${LARGE} resources in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        await verify();
        return { plan: { kind: "rotate", requests: plan() }, expect: OK };
      },
    },
  ];
}
