import { freshDatabase, vacuumStandIn } from "../gatehouse/database.js";
import { nullWebhook } from "../gatehouse/fixtures.js";
import { scenariosFor } from "../gatehouse/scenarios.js";
import { seedUsers } from "../gatehouse/seed.js";
import { startGatehouse } from "../gatehouse/server.js";
import { startDelayProxy } from "../lib/delay-proxy.js";
import { measureHttp, type Row } from "../lib/measure.js";
import type { GatehouseGroupOptions } from "./gatehouse.js";

/** The group's scenarios are named `postgres+proxy:<scenario>`. */
export const PROXY_LABEL = "postgres+proxy";
/** Added in each direction between Gatehouse and PostgreSQL. */
export const PROXY_DELAY_MS = 1;
const SCENARIOS =
  /:(get-profile|get-profile@50%|sign-in-password|refresh-token|change-phone-pair|change-phone-pair@50%)$/;

/**
 * Gatehouse on PostgreSQL reached through a proxy adding 1 ms each way (bench/lib/delay-proxy.ts):
 * what a deployment whose database is not on the same machine pays per round trip. The same
 * scenarios and connections as the postgres group, so each line reads against its unproxied one,
 * but one measured window each instead of three: every statement waits 2 ms more, so the group's
 * load, code pre-issuing and draining took long enough that a full run did not finish it.
 * get-profile and the pair run again at half the rate they reached (`@50%`): their p50 targets
 * are read there, since at saturation a p50 is the time spent queueing.
 */
export async function proxyGroup(o: GatehouseGroupOptions): Promise<Row[]> {
  const settings = { ...o.settings, runs: 1 };
  const db = await freshDatabase("postgres", "proxy");
  const webhook = await nullWebhook();
  const target = new URL(db.url);
  const proxy = await startDelayProxy(
    { host: target.hostname, port: Number(target.port || 5432) },
    PROXY_DELAY_MS,
  );
  let vacuum: { stop(): Promise<void> } | undefined;
  try {
    const seed = await seedUsers(db.url, 1000);
    vacuum = await vacuumStandIn(db, o.log);
    const proxied = new URL(db.url);
    proxied.port = String(proxy.port);
    const server = await startGatehouse(db, {
      label: PROXY_LABEL,
      databaseUrl: proxied.toString(),
      webhookUrl: webhook.url,
      profileDir: o.profileDir,
      threadpool: o.threadpool,
      nodeFlags: o.nodeFlags,
    });
    try {
      const scenarios = await scenariosFor({
        dialect: "postgres",
        label: PROXY_LABEL,
        db,
        server,
        boot: seed.boot,
        users: seed.users,
        settings,
        log: o.log,
        v3Rps: o.v3Rps,
        argon2Rps: o.argon2Rps,
      });
      const rows: Row[] = [];
      for (const s of scenarios.list.filter(
        (x) => SCENARIOS.test(x.name) && (!o.filter || o.filter.test(x.name)),
      ))
        rows.push(await measureHttp(s, settings, o.log));
      return rows;
    } finally {
      await server.stop();
    }
  } finally {
    await vacuum?.stop();
    await proxy.close();
    await webhook.close();
    await db.drop();
  }
}
