import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import {
  atHash,
  decodeJwt,
  signHs256Jwt,
  signJwt,
  signJwtOffThread,
  verifyHs256Jwt,
  verifyJwt,
} from "../../src/services/tokens/jwt.js";

/** The compact JWS the server signs and checks every token with, edge by edge (services/tokens/jwt.ts). */
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
const key = { kid: "k1", privateKey };
const keyFor = (kid: string | undefined) => (kid?.startsWith("k1") ? publicKey : undefined);
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

/**
 * A payload that makes the token exactly `length` characters long, found from the segments'
 * lengths alone (signing is the slow part): base64url never ends a segment on a length ≡ 1 mod 4,
 * so the header's `kid` is lengthened until the rest can fit.
 */
function sizedToken(length: number, alg: "RS256" | "HS256"): string {
  const signatureLength = alg === "RS256" ? 342 : 43;
  for (const kid of ["k1", "k1x", "k1xx"]) {
    const header = alg === "RS256" ? { alg, typ: "JWT", kid } : { alg, typ: "JWT" };
    const rest = length - b64(header).length - 2 - signatureLength;
    for (let n = 0; n < length; n++) {
      const payload = { pad: "x".repeat(n) };
      if (b64(payload).length === rest)
        return alg === "RS256"
          ? signJwt(payload, { kid, privateKey }, "JWT")
          : signHs256Jwt(payload, "secret", "JWT");
      if (b64(payload).length > rest) break;
    }
  }
  throw new Error(`no ${alg} token of length ${length}`);
}

describe("jwt", () => {
  it("a token signed on the thread pool is the same token, byte for byte, as one signed on the main thread", async () => {
    const payload = { sub: "u1", iat: 1, nested: { a: [1, 2] } };
    const pooled = await signJwtOffThread(payload, key, "at+jwt");
    assert.equal(pooled, signJwt(payload, key, "at+jwt"));
    assert.equal(verifyJwt(pooled, keyFor).ok, true);
  });

  it("an RS256 token verifies with the key its kid names, and says why it does not otherwise", () => {
    const token = signJwt({ sub: "u1" }, key, "at+jwt");
    const check = verifyJwt(token, keyFor);
    assert.deepEqual(check, {
      ok: true,
      header: { alg: "RS256", typ: "at+jwt", kid: "k1" },
      payload: { sub: "u1" },
    });
    assert.deepEqual(verifyJwt(signJwt({}, { kid: "k2", privateKey }, "JWT"), keyFor), {
      ok: false,
      reason: "unknown-key",
    });
    assert.deepEqual(verifyJwt(signJwt({}, { kid: "k1", privateKey: other.privateKey }, "JWT"), keyFor), {
      ok: false,
      reason: "bad-signature",
    });
    const [h, , s] = token.split(".");
    assert.deepEqual(verifyJwt(`${h}.${b64({ sub: "u2" })}.${s}`, keyFor), {
      ok: false,
      reason: "bad-signature",
    });
  });

  it("an RS256 check refuses other algorithms and anything that is not three JSON-object segments", () => {
    const hs = signHs256Jwt({ sub: "u1" }, "secret", "JWT");
    assert.deepEqual(verifyJwt(hs, keyFor), { ok: false, reason: "malformed" });
    for (const bad of ["", "garbage", "a.b", "a.b.c.d", `${b64({ alg: "RS256" })}..x`]) {
      assert.deepEqual(verifyJwt(bad, keyFor), { ok: false, reason: "malformed" }, bad);
    }
  });

  it("decode: every segment must be unpadded base64url, and header and payload JSON objects", () => {
    const token = signJwt({ sub: "u1" }, key, "JWT");
    const [h, p, s] = token.split(".") as [string, string, string];
    assert.deepEqual(decodeJwt(token)?.payload, { sub: "u1" });
    // Node's decoder skips padding and whitespace: the shape check is what refuses them.
    assert.equal(decodeJwt(`${h}=.${p}.${s}`), undefined, "padding after a segment");
    assert.equal(decodeJwt(` ${h}.${p}.${s}`), undefined, "a character before a segment");
    assert.equal(
      decodeJwt(`${h}.${p}.${s}+`),
      undefined,
      "a character of the other alphabet in the signature",
    );
    assert.equal(decodeJwt(`${h}.${p}.`), undefined, "an empty segment");
    assert.equal(decodeJwt(`${h}.${p}`), undefined, "two segments");
    for (const payload of ["null", "[]", '["a"]', "1", '"s"', "true", "{"]) {
      assert.equal(decodeJwt(`${h}.${b64(payload)}.${s}`), undefined, payload);
      assert.equal(decodeJwt(`${b64(payload)}.${p}.${s}`), undefined, `header ${payload}`);
    }
  });

  it("a token up to 8192 characters is read; a longer one is refused before any work", () => {
    const rs = sizedToken(8192, "RS256");
    assert.equal(rs.length, 8192);
    assert.equal(verifyJwt(rs, keyFor).ok, true);
    const rsLong = sizedToken(8193, "RS256");
    assert.deepEqual(verifyJwt(rsLong, keyFor), { ok: false, reason: "malformed" });
    const hs = sizedToken(8192, "HS256");
    assert.equal(hs.length, 8192);
    assert.equal(verifyHs256Jwt(hs, "secret").ok, true);
    const hsLong = sizedToken(8193, "HS256");
    assert.deepEqual(verifyHs256Jwt(hsLong, "secret"), { ok: false, reason: "malformed" });
  });

  it("HS256: verified with the secret's bytes; a short, long or wrong signature is bad, no secret is an unknown key", () => {
    const token = signHs256Jwt({ sub: "u1" }, "s3cret", "JWT");
    assert.deepEqual(verifyHs256Jwt(token, "s3cret"), {
      ok: true,
      header: { alg: "HS256", typ: "JWT" },
      payload: { sub: "u1" },
    });
    assert.equal(verifyHs256Jwt(token, Buffer.from("s3cret")).ok, true, "a Buffer is the same key");
    assert.deepEqual(verifyHs256Jwt(token, "other"), { ok: false, reason: "bad-signature" });
    assert.deepEqual(verifyHs256Jwt(token, undefined), { ok: false, reason: "unknown-key" });
    const [h, p, s] = token.split(".") as [string, string, string];
    assert.deepEqual(verifyHs256Jwt(`${h}.${p}.${s.slice(0, 20)}`, "s3cret"), {
      ok: false,
      reason: "bad-signature",
    });
    assert.deepEqual(verifyHs256Jwt(`${h}.${p}.${s}AAAA`, "s3cret"), { ok: false, reason: "bad-signature" });
    assert.deepEqual(verifyHs256Jwt(signJwt({}, key, "JWT"), "s3cret"), { ok: false, reason: "malformed" });
    assert.deepEqual(verifyHs256Jwt("garbage", undefined), { ok: false, reason: "malformed" });
  });

  it("at_hash is the base64url of the left half of the token's SHA-256", () => {
    const digest = createHash("sha256").update("abc.def.ghi").digest();
    assert.equal(atHash("abc.def.ghi"), digest.subarray(0, 16).toString("base64url"));
    assert.equal(atHash("abc.def.ghi").length, 22);
  });
});
