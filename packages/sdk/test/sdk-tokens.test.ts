import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { AuthenticationClient, GatehouseTokenError } from "../src/index.js";
import { json, localServer } from "./helpers/local-server.js";

const APP_ID = "app-1";
const APP_SECRET = "app-secret-for-hs256-id-tokens-0123456789";

describe("token verification: parseIDToken / parseAccessToken", () => {
  let server: Awaited<ReturnType<typeof localServer>>;
  let keys: { kid: string; privateKey: CryptoKey; jwk: JWK }[] = [];
  let published: JWK[] = [];
  const jwksFetches = () => server.requests.filter((r) => r.url === "/oidc/.well-known/jwks.json").length;

  async function addKey(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
    keys.push({ kid, privateKey, jwk });
    published.push(jwk);
  }

  before(async () => {
    server = await localServer((req, res) => {
      if (req.url === "/oidc/.well-known/jwks.json") json(res, { keys: published });
      else json(res, { error: "not_found" }, 404);
    });
    keys = [];
    published = [];
    await addKey("k1");
  });
  after(() => server.close());

  const issuer = () => `${server.url}/oidc`;
  const client = (extra: object = {}) =>
    new AuthenticationClient({
      appId: APP_ID,
      appSecret: APP_SECRET,
      appHost: server.url,
      jwksCooldown: 0,
      ...extra,
    });

  async function mint(
    claims: Record<string, unknown> = {},
    opts: { kid?: string; exp?: number | string; iss?: string; aud?: string } = {},
  ) {
    const key = keys.find((k) => k.kid === (opts.kid ?? "k1"))!;
    return new SignJWT({ nonce: "n-1", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: key.kid })
      .setSubject("user-1")
      .setIssuer(opts.iss ?? issuer())
      .setAudience(opts.aud ?? APP_ID)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? "10m")
      .sign(key.privateKey);
  }

  async function rejection(p: Promise<unknown>): Promise<GatehouseTokenError> {
    const err = await p.then(
      () => assert.fail("token was accepted"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GatehouseTokenError, `expected GatehouseTokenError, got ${err}`);
    return err;
  }

  it("a valid ID token is accepted and its claims returned", async () => {
    const claims = await client().parseIDToken(await mint({ email: "a@example.com" }), { nonce: "n-1" });
    assert.equal(claims.sub, "user-1");
    assert.equal(claims.email, "a@example.com");
  });

  it("a valid access token is accepted", async () => {
    const claims = await client().parseAccessToken(await mint({ scope: "openid profile" }));
    assert.equal(claims.scope, "openid profile");
  });

  it("an expired token is refused (the official SDK accepts it)", async () => {
    const exp = Math.floor(Date.now() / 1000) - 3600;
    const err = await rejection(client().parseIDToken(await mint({}, { exp })));
    assert.equal(err.reason, "expired");
    const err2 = await rejection(client().parseAccessToken(await mint({}, { exp })));
    assert.equal(err2.reason, "expired");
  });

  it("a token for another audience is refused", async () => {
    const err = await rejection(client().parseIDToken(await mint({}, { aud: "other-app" })));
    assert.equal(err.reason, "audience");
  });

  it("a token from another issuer is refused", async () => {
    const err = await rejection(
      client().parseAccessToken(await mint({}, { iss: "https://evil.example/oidc" })),
    );
    assert.equal(err.reason, "issuer");
  });

  it("a tampered token is refused", async () => {
    const [h, p, s] = (await mint()).split(".");
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    payload.sub = "admin";
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join(".");
    const err = await rejection(client().parseIDToken(forged));
    assert.equal(err.reason, "signature");
  });

  it("a token signed by a key outside the JWKS is refused", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(issuer())
      .setAudience(APP_ID)
      .setExpirationTime("5m")
      .sign(privateKey);
    const err = await rejection(client().parseAccessToken(token));
    assert.equal(err.reason, "signature");
  });

  it("an ID token whose nonce differs from the expected one is refused", async () => {
    const err = await rejection(client().parseIDToken(await mint(), { nonce: "other" }));
    assert.equal(err.reason, "nonce");
  });

  it("alg none and garbage are refused as malformed or unsigned", async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(
      JSON.stringify({ sub: "x", iss: issuer(), aud: APP_ID, exp: 9e9 }),
    ).toString("base64url")}.`;
    await rejection(client().parseIDToken(none));
    const err = await rejection(client().parseIDToken("not-a-jwt"));
    assert.equal(err.reason, "malformed");
  });

  it("an HS256 ID token is verified with the app secret, and refused as an access token", async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .setIssuer(issuer())
      .setAudience(APP_ID)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(APP_SECRET));
    assert.equal((await client().parseIDToken(token)).sub, "user-1");
    await rejection(client().parseAccessToken(token));
  });

  it("the JWKS is cached, and fetched again when a token names an unknown kid (key rotation)", async () => {
    const c = client();
    const start = jwksFetches();
    await c.parseAccessToken(await mint());
    await c.parseAccessToken(await mint());
    assert.equal(jwksFetches() - start, 1);
    await addKey("k2");
    assert.equal((await c.parseAccessToken(await mint({}, { kid: "k2" }))).sub, "user-1");
    assert.equal(jwksFetches() - start, 2);
    await c.parseAccessToken(await mint({}, { kid: "k1" }));
    assert.equal(jwksFetches() - start, 2);
  });

  it("an unknown kid that stays unknown after a refetch is refused", async () => {
    const c = client();
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "never-published" })
      .setIssuer(issuer())
      .setAudience(APP_ID)
      .setExpirationTime("5m")
      .sign(privateKey);
    const err = await rejection(c.parseAccessToken(token));
    assert.equal(err.reason, "unknown-key");
  });

  it("serverJWKS skips the fetch", async () => {
    const start = jwksFetches();
    await client().parseIDToken(await mint(), { serverJWKS: { keys: published } });
    assert.equal(jwksFetches(), start);
  });
});
