import { createHmac, timingSafeEqual } from "node:crypto";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { signHs256Jwt, verifyHs256Jwt } from "../tokens/jwt.js";
import type { AccessKeys } from "./access-keys.js";

/**
 * The token flow of the other GenAuth SDKs (docs/wire-contract.md §1.4.4): access key → short-lived
 * HS256 JWT carrying `scoped_userpool_id`, keyed by a key derived from the server secret.
 * The access key is re-checked on every use, so disabling or deleting it ends its tokens.
 */
export const MANAGEMENT_TOKEN_TTL_S = 7200;

export interface ManagementTokenClaims {
  accessKeyId: string;
  poolId: string;
}

function equalSecrets(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ManagementTokenDeps {
  accessKeys: Pick<AccessKeys, "resolve">;
  clock: Clock;
  serverSecret: string;
  issuer: string;
}

export function createManagementTokens({ accessKeys, clock, serverSecret, issuer }: ManagementTokenDeps) {
  const key = createHmac("sha256", serverSecret).update("gatehouse management token v1").digest();
  /**
   * Names the access key's secret in the token without revealing it: a token obtained with a
   * secret that has since been rotated is refused (docs/security.md §Rotating a pool's secret).
   */
  const secretTag = (secret: string) =>
    createHmac("sha256", key).update(`access key secret:${secret}`).digest("base64url").slice(0, 22);
  return {
    async issue(accessKeyId: string, accessKeySecret: string) {
      const resolved = await accessKeys.resolve(accessKeyId);
      if (!resolved || !equalSecrets(resolved.secret, accessKeySecret)) {
        throw new ApiError("ACCESS_KEY_CREDENTIALS_INVALID");
      }
      const iat = Math.floor(clock.now() / 1000);
      const token = signHs256Jwt(
        {
          scoped_userpool_id: resolved.poolId,
          typ: "management",
          iss: issuer,
          sub: accessKeyId,
          skv: secretTag(resolved.secret),
          iat,
          exp: iat + MANAGEMENT_TOKEN_TTL_S,
        },
        key,
        "JWT",
      );
      return { access_token: token, expires_in: MANAGEMENT_TOKEN_TTL_S };
    },
    /** Verifies the token and that its access key still exists and is enabled. */
    async verify(token: string): Promise<ManagementTokenClaims> {
      const checked = verifyHs256Jwt(token, key);
      if (!checked.ok) throw new ApiError("TOKEN_INVALID");
      const { payload } = checked;
      if (payload.iss !== issuer || typeof payload.exp !== "number") throw new ApiError("TOKEN_INVALID");
      if (payload.exp <= Math.floor(clock.now() / 1000)) throw new ApiError("TOKEN_EXPIRED");
      const accessKeyId = typeof payload.sub === "string" ? payload.sub : "";
      const poolId = payload.scoped_userpool_id;
      if (payload.typ !== "management" || typeof poolId !== "string") throw new ApiError("TOKEN_INVALID");
      const resolved = await accessKeys.resolve(accessKeyId);
      if (!resolved || resolved.poolId !== poolId) throw new ApiError("TOKEN_INVALID");
      if (typeof payload.skv !== "string" || !equalSecrets(payload.skv, secretTag(resolved.secret))) {
        throw new ApiError("TOKEN_INVALID");
      }
      return { accessKeyId, poolId };
    },
  };
}
export type ManagementTokens = ReturnType<typeof createManagementTokens>;
