/**
 * What the floors (servers/pair-floor.ts, servers/totp-floor.ts) share: a refusal their error
 * handler answers as a 400 envelope, and RS256 access tokens — minted for the load, checked on
 * every request.
 */
import { generateKeyPairSync } from "node:crypto";
import { importSPKI, jwtVerify, SignJWT } from "jose";

export class Refused extends Error {}

export const envelope = (data: unknown) => ({ statusCode: 200, message: "", apiCode: 0, data });

/** A fresh RSA-2048 key: `mint` signs an hour's access token per subject, `caller` checks one. */
export async function floorTokens() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = await importSPKI(publicKey.export({ type: "spki", format: "pem" }).toString(), "RS256");
  /**
   * Like Gatehouse (services/tokens/tokens.ts), a signed token's check is remembered: the RSA
   * verification runs once per token, the expiry on every request. Without it a floor would pay a
   * cost Gatehouse does not, and would not be a lower bound.
   */
  const verified = new Map<string, { sub: string; exp: number }>();
  return {
    mint(subjects: readonly string[]): Promise<string[]> {
      const now = Math.floor(Date.now() / 1000);
      return Promise.all(
        subjects.map((sub) =>
          new SignJWT({ scope: "openid profile" })
            .setProtectedHeader({ alg: "RS256" })
            .setSubject(sub)
            .setIssuedAt(now)
            .setExpirationTime(now + 3600)
            .sign(privateKey),
        ),
      );
    },
    async caller(authorization: string | undefined): Promise<string> {
      const token = (authorization ?? "").replace(/^Bearer /, "");
      let c = verified.get(token);
      if (!c) {
        const { payload } = await jwtVerify(token, key, { algorithms: ["RS256"] });
        c = { sub: payload.sub as string, exp: payload.exp as number };
        if (verified.size >= 10_000) verified.clear();
        verified.set(token, c);
      }
      if (c.exp * 1000 <= Date.now()) throw new Refused("expired");
      return c.sub;
    },
  };
}
