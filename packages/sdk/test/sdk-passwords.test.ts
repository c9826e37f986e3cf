import assert from "node:assert/strict";
import { constants, privateDecrypt } from "node:crypto";
import { describe, it } from "node:test";
import { AuthenticationClient, encryptPassword } from "../src/index.js";
import { liveGatehouse } from "./helpers/gatehouse.js";
import { json, localServer } from "./helpers/local-server.js";

describe("passwords: RSA encryption with the server's key (WebCrypto RSA-OAEP)", () => {
  const gh = liveGatehouse();

  it("encryptPassword output decrypts with the server's private key (OAEP, SHA-1)", async () => {
    const client = new AuthenticationClient({ appId: gh().h.boot.appId, appSecret: "x", appHost: gh().url });
    const { rsa } = await client.getSystemInfo();
    const cipher = await encryptPassword(rsa.publicKey, "pässwörd ✓");
    const plain = privateDecrypt(
      { key: gh().h.ctx.keys.rsaPrivateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      Buffer.from(cipher, "base64"),
    );
    assert.equal(plain.toString("utf8"), "pässwörd ✓");
  });

  it('passwordEncryptType "rsa" encrypts the password and declares it; an explicit type passes through', async () => {
    const { rsa } = await new AuthenticationClient({
      appId: "a",
      appSecret: "x",
      appHost: gh().url,
    }).getSystemInfo();
    const server = await localServer((req, res) => {
      if (req.url === "/api/v3/system")
        json(res, { rsa, sm2: { publicKey: "" }, version: {}, publicIps: [] });
      else
        json(res, {
          statusCode: 200,
          message: "ok",
          data: { access_token: "t", token_type: "bearer", expire_in: 60 },
        });
    });
    try {
      const client = new AuthenticationClient({
        appId: "a",
        appSecret: "x",
        appHost: server.url,
        passwordEncryptType: "rsa",
      });
      await client.signInByEmailPassword({ email: "a@example.com", password: "secret-1" });
      const sent = JSON.parse(server.requests.at(-1)!.body);
      assert.equal(sent.options.passwordEncryptType, "rsa");
      assert.notEqual(sent.passwordPayload.password, "secret-1");
      const plain = privateDecrypt(
        { key: gh().h.ctx.keys.rsaPrivateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING },
        Buffer.from(sent.passwordPayload.password, "base64"),
      );
      assert.equal(plain.toString(), "secret-1");
      await client.signInByEmailPassword({
        email: "a@example.com",
        password: "already-encrypted",
        options: { passwordEncryptType: "none" },
      });
      assert.equal(JSON.parse(server.requests.at(-1)!.body).passwordPayload.password, "already-encrypted");
      assert.equal(
        server.requests.filter((r) => r.url === "/api/v3/system").length,
        1,
        "the key is fetched once",
      );
    } finally {
      await server.close();
    }
  });
});
