import { systemClock } from "@gatehouse/server/dist/lib/clock.js";
import { NO_REQUEST } from "@gatehouse/server/dist/services/events/scope.js";
import { otpImporter } from "@gatehouse/server/dist/services/mfa/imported.js";
import { loadServerKeys } from "@gatehouse/server/dist/services/tokens/server-keys.js";
import { openDb } from "@gatehouse/server/dist/storage/db.js";
import { repositories } from "@gatehouse/server/dist/storage/repos/index.js";
import { ROW_CACHE_TTL_MS } from "@gatehouse/server/dist/storage/repos/row-cache.js";
import { Secret } from "otpauth";
import { benchConfig, withBenchContext } from "./bench-context.js";
import type { FreshDatabase } from "./database.js";
import { BENCH_SECRET } from "./server.js";

/**
 * Gives each user an OTP factor with a fresh secret, sealed as create-user's `otp` seals it
 * (services/mfa/imported.ts). Returns the secrets (base32), in order.
 */
export async function seedOtpFactors(
  db: FreshDatabase,
  poolId: string,
  userIds: string[],
): Promise<string[]> {
  const handle = openDb(db.url);
  try {
    const { box } = await loadServerKeys(repositories(handle.kysely), {
      configuredSecret: BENCH_SECRET,
      dataDir: ".",
    });
    const importOtp = otpImporter({ box, secret: BENCH_SECRET, clock: systemClock });
    const secrets = userIds.map(() => new Secret({ size: 20 }).base32);
    const perTransaction = 1000;
    for (let from = 0; from < userIds.length; from += perTransaction) {
      await handle.kysely.transaction().execute(async (trx) => {
        const repos = repositories(trx);
        for (let i = from; i < Math.min(userIds.length, from + perTransaction); i++)
          await repos.mfaFactors.insertFactor(importOtp(poolId, userIds[i]!, { secret: secrets[i]! }));
      });
    }
    return secrets;
  } finally {
    await handle.close();
  }
}

/**
 * An access token per user (scope `profile`, no refresh token) from the token service, as a
 * sign-in issues them, without hashing a password for each: thousands are needed at once.
 * `serverUrl`: the server's public URL, the tokens' issuer.
 */
export function accessTokens(
  db: FreshDatabase,
  serverUrl: string,
  appId: string,
  poolId: string,
  userIds: string[],
): Promise<string[]> {
  return withBenchContext(benchConfig(db, { publicUrl: serverUrl }), async (ctx) => {
    const app = await ctx.repos.applications.findApplicationById(appId);
    if (!app) throw new Error("bench application is missing");
    const tokens: string[] = new Array(userIds.length);
    let next = 0;
    const lane = async () => {
      while (next < userIds.length) {
        const i = next++;
        const user = await ctx.repos.users.findUserById(poolId, userIds[i]!);
        if (!user) throw new Error(`bench user ${userIds[i]} is missing`);
        const set = await ctx.tokens.issueForLogin({
          app,
          user,
          scope: "profile",
          ip: "127.0.0.1",
          userAgent: "gatehouse-bench",
          refresh: false,
        });
        tokens[i] = set.access_token;
      }
    };
    // Signatures go to the thread pool while nothing hashes: a few lanes keep both cores busy.
    await Promise.all(Array.from({ length: 8 }, lane));
    return tokens;
  });
}

/**
 * Turns the API's MFA step on for the pool with OTP enabled (docs/mfa.md §The API's MFA step) and
 * returns what puts the settings back. Both wait until the server's cached copy has expired.
 */
export async function apiSignInMfaOn(db: FreshDatabase, poolId: string): Promise<() => Promise<void>> {
  const before = await withBenchContext(benchConfig(db), async (ctx) => {
    const current = await ctx.admin.poolSettings.getMfa(poolId);
    await ctx.admin.poolSettings.updateMfa(
      poolId,
      {
        ...current,
        enabledFactors: [...new Set([...current.enabledFactors, "OTP" as const])],
        policy: current.policy === "off" ? "optional" : current.policy,
        apiSignin: true,
      },
      NO_REQUEST,
    );
    return current;
  });
  const settled = () => new Promise((resolve) => setTimeout(resolve, ROW_CACHE_TTL_MS + 100));
  await settled();
  return async () => {
    await withBenchContext(benchConfig(db), (ctx) =>
      ctx.admin.poolSettings.updateMfa(poolId, before, NO_REQUEST),
    );
    await settled();
  };
}
