import fs from "node:fs";
import path from "node:path";
import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import { newId, newSecret } from "../../lib/ids.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import { repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";
import type { SecretBox } from "../secrets/secret-box.js";

export interface BootstrapInfo {
  userPoolId: string;
  userPoolSecret: string;
  appId: string;
  appSecret: string;
  appHost: string;
}

/** Default settings of a new self-built web application (docs/wire-contract.md §4 ApplicationDto). */
export function defaultAppConfig() {
  return {
    redirectUris: [] as string[],
    logoutRedirectUris: [] as string[],
    accessTokenExpiresIn: 7200,
    idTokenExpiresIn: 7200,
    refreshTokenExpiresIn: 30 * 86400,
  };
}

/**
 * The application every pool starts with (the SDKs need an app id): the bootstrap pool's and
 * `gatehouse pool create`'s. Its secret is sealed, as stored (docs/security.md §What is hashed and what is encrypted).
 */
export function defaultApplicationRow(
  box: SecretBox,
  id: string,
  poolId: string,
  now: number,
): ApplicationRow {
  return {
    id,
    pool_id: poolId,
    name: "Default application",
    identifier: "default",
    secret: box.seal("app-secret", id, newSecret()),
    app_type: "web",
    token_endpoint_auth_method: "client_secret_post",
    config: JSON.stringify(defaultAppConfig()),
    created_at: now,
    updated_at: now,
  };
}

/**
 * On first start create the default pool and application; later starts reuse them and never
 * rotate. A meta row claimed inside the same transaction makes concurrent first starts agree.
 */
export async function ensureBootstrap(
  db: Kysely<Database>,
  box: SecretBox,
  clock: Clock,
  publicUrl: string,
): Promise<{ info: BootstrapInfo; created: boolean }> {
  const candidate = { poolId: newId(), appId: newId() };
  const claimed = await db.transaction().execute(async (trx) => {
    const repos = repositories(trx);
    const stored = JSON.parse(await repos.meta.getOrInsertMeta("bootstrap", JSON.stringify(candidate)));
    if (stored.poolId !== candidate.poolId) return { stored, created: false };
    const now = clock.now();
    await repos.pools.insertPool({
      id: candidate.poolId,
      name: "Default user pool",
      secret: box.seal("pool-secret", candidate.poolId, newSecret()),
      settings: "{}",
      created_at: now,
      updated_at: now,
    });
    await repos.applications.insertApplication(
      defaultApplicationRow(box, candidate.appId, candidate.poolId, now),
    );
    return { stored, created: true };
  });
  const repos = repositories(db);
  const pool = await repos.pools.findPoolById(claimed.stored.poolId);
  const app = await repos.applications.findApplicationById(claimed.stored.appId);
  if (!pool || !app) throw new Error("bootstrap pool or application is missing from the database");
  return {
    created: claimed.created,
    info: {
      userPoolId: pool.id,
      userPoolSecret: box.open("pool-secret", pool.id, pool.secret),
      appId: app.id,
      appSecret: box.open("app-secret", app.id, app.secret),
      appHost: publicUrl,
    },
  };
}

export function writeBootstrapFile(dataDir: string, info: BootstrapInfo): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, "bootstrap.json");
  fs.writeFileSync(file, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

/**
 * What the first start prints: the ids and where the secrets are, never the secrets themselves —
 * stdout ends up in service logs (docs/security.md §What the server prints).
 */
export function bootstrapBox(info: BootstrapInfo, file: string): string {
  const lines = [
    "Gatehouse: first start — created the default user pool and application",
    "",
    `userPoolId      ${info.userPoolId}`,
    `appId           ${info.appId}`,
    `appHost         ${info.appHost}`,
    "",
    `The pool secret and app secret are in ${file} (mode 0600);`,
    "`gatehouse info` prints them too. Keep them out of logs.",
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const bar = "─".repeat(width + 2);
  return [`┌${bar}┐`, ...lines.map((l) => `│ ${l.padEnd(width)} │`), `└${bar}┘`].join("\n");
}
