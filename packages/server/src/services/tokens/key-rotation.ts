import { ApiError, bilingual } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import { appConfig } from "./app-config.js";
import { KEY_RELOAD_INTERVAL_MS, type SigningKeys } from "./signing-keys.js";

/**
 * `gatehouse keys rotate`: a new RS256 signing key becomes current; the old one stays published
 * in the JWKS (as previous) so the tokens it signed keep verifying until they expire. The key
 * before it is retired — so a second rotation waits until the previous key's last tokens have
 * expired, unless forced.
 */
export interface RotationResult {
  kid: string;
  previousKid?: string;
  retiredKid?: string;
}

export interface KeyRotationDeps {
  repos: Repositories;
  signingKeys: Pick<SigningKeys, "rotate">;
  clock: Clock;
}

export function createKeyRotation(deps: KeyRotationDeps) {
  return {
    rotate: (options: { force?: boolean } = {}) => rotateSigningKeys(deps, options),
  };
}

/** The longest JWT lifetime any application issues (refresh tokens are opaque, not signed). */
async function longestTokenLifetimeMs(repos: Repositories): Promise<number> {
  let longest = 0;
  for (const pool of await repos.pools.listPools()) {
    for (const app of await repos.applications.listApplicationsByPool(pool.id)) {
      const c = appConfig(app);
      longest = Math.max(longest, c.accessTokenExpiresIn, c.idTokenExpiresIn);
    }
  }
  return longest * 1000;
}

async function rotateSigningKeys(
  { repos, signingKeys, clock }: KeyRotationDeps,
  options: { force?: boolean },
): Promise<RotationResult> {
  const published = await repos.signingKeys.listPublishedSigningKeys();
  const current = published.find((k) => k.status === "current");
  const previous = published.find((k) => k.status === "previous");
  if (previous && !options.force) {
    // Nodes may sign with a demoted key until they reload; its tokens live one lifetime more.
    const safeAt = previous.updated_at + KEY_RELOAD_INTERVAL_MS + (await longestTokenLifetimeMs(repos));
    if (safeAt > clock.now()) {
      throw new ApiError("KEY_ROTATION_TOO_SOON", {
        texts: bilingual(
          `上一把签名密钥 ${previous.kid} 签发的 token 可能在 ${new Date(safeAt).toISOString()} 之前仍然有效，现在轮换会使其提前失效（可用 --force 强制轮换）`,
          `The previous signing key ${previous.kid} may still sign live tokens until ${new Date(safeAt).toISOString()}; rotating now would retire it early (use --force to rotate anyway)`,
        ),
      });
    }
  }
  const kid = await signingKeys.rotate();
  return { kid, previousKid: current?.kid, retiredKid: previous?.kid };
}
