import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { it } from "node:test";
import { sql } from "kysely";
import { buildApp } from "../../src/app.js";
import { ConfigError } from "../../src/config.js";
import { type Context, createContext } from "../../src/context.js";
import { MASTER_KEY_FILE } from "../../src/services/secrets/master-key.js";
import { basic, form, signedInUser } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

/** Every row of every table that holds secrets or key material, as text, read with SQL directly. */
async function rawDump(ctx: Context): Promise<string> {
  const out: string[] = [];
  for (const table of ["gh_meta", "user_pools", "applications", "access_keys", "signing_keys"]) {
    const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(ctx.db.kysely);
    out.push(JSON.stringify(r.rows));
  }
  return out.join("\n");
}

async function restarted(h: Harness, run: (h2: Harness) => Promise<void>): Promise<void> {
  const ctx = await createContext(h.ctx.config, { logger: h.ctx.logger });
  const app = await buildApp(ctx);
  try {
    await run({ ...h, ctx, app, inject: (opts) => app.inject(opts) });
  } finally {
    await app.close();
    await ctx.close();
  }
}

const refresh = (h: Harness, token: string, auth: "post" | "basic") =>
  form(
    h,
    "/oidc/token",
    auth === "post"
      ? {
          grant_type: "refresh_token",
          refresh_token: token,
          client_id: h.boot.appId,
          client_secret: h.boot.appSecret,
        }
      : { grant_type: "refresh_token", refresh_token: token },
    auth === "basic" ? { authorization: basic(h.boot.appId, h.boot.appSecret) } : {},
  );

describeEachDialect("secrets at rest", (h) => {
  it("the database holds no private key, no master key and no pool, app or access-key secret in clear", async () => {
    const key = await mgmt(h(), "POST", "/api/v3/create-access-key", { body: { type: "userpool" } });
    assert.equal(key.statusCode, 200);
    const dump = await rawDump(h().ctx);
    for (const secret of [
      h().boot.userPoolSecret,
      h().boot.appSecret,
      key.data[0].accessKeySecret,
      h().ctx.keys.secret,
    ]) {
      assert.ok(!dump.includes(secret), "a secret is stored in clear");
    }
    assert.doesNotMatch(dump, /PRIVATE KEY/);
    assert.doesNotMatch(dump, /"d":/, "no private JWK either");
    const sealed = await sql<{ v: string }>`
      SELECT secret AS v FROM user_pools UNION ALL SELECT secret FROM applications
      UNION ALL SELECT secret FROM access_keys UNION ALL SELECT private_pem FROM signing_keys`.execute(
      h().ctx.db.kysely,
    );
    for (const { v } of sealed.rows) assert.match(v, /^v1:[\w-]{16}:[\w-]+$/);
  });

  it("a sealed value copied to another row does not open there", async () => {
    const other = await mgmt(h(), "POST", "/api/v3/create-access-key", { body: { type: "userpool" } });
    const otherId = other.data[0].accessKeyId as string;
    await sql`UPDATE access_keys SET secret = (SELECT secret FROM user_pools WHERE id = ${h().boot.userPoolId})
      WHERE id = ${otherId}`.execute(h().ctx.db.kysely);
    await assert.rejects(h().ctx.admin.accessKeys.resolve(otherId), /does not open/);
    await sql`DELETE FROM access_keys WHERE id = ${otherId}`.execute(h().ctx.db.kysely);
  });

  it("after a restart the server still verifies its tokens and the app and pool secrets still authenticate", async () => {
    const t = await signedInUser(h(), "restart@example.com", "correct horse 1", "openid offline_access");
    await restarted(h(), async (h2) => {
      const me = await h2.inject({
        method: "GET",
        url: "/oidc/me",
        headers: { authorization: `Bearer ${t.access_token}` },
      });
      assert.equal(me.statusCode, 200, "a token signed before the restart verifies after it");
      const viaPost = await refresh(h2, t.refresh_token, "post");
      assert.equal(viaPost.status, 200, JSON.stringify(viaPost.body));
      const viaBasic = await refresh(h2, viaPost.body.refresh_token, "basic");
      assert.equal(viaBasic.status, 200, JSON.stringify(viaBasic.body));
      const wrong = await form(h2, "/oidc/token", {
        grant_type: "refresh_token",
        refresh_token: viaBasic.body.refresh_token,
        client_id: h2.boot.appId,
        client_secret: `${h2.boot.appSecret}x`,
      });
      assert.equal(wrong.body.error, "invalid_client");
      const signed = await mgmt(h2, "GET", "/api/v3/list-applications", { params: {} });
      assert.equal(signed.statusCode, 200, "the pool's secret signs management requests");
      const tok = await h2.inject({
        method: "POST",
        url: "/api/v3/get-management-token",
        payload: { accessKeyId: h2.boot.userPoolId, accessKeySecret: h2.boot.userPoolSecret },
      });
      assert.equal(tok.json().statusCode, 200);
      assert.equal(h2.ctx.keys.rsaPrivateKeyPem, h().ctx.keys.rsaPrivateKeyPem);
    });
  });

  it("a wrong GATEHOUSE_SECRET is refused at start with a clear error, and so is a node without the key", async () => {
    const config = h().ctx.config;
    await assert.rejects(
      createContext({ ...config, secret: "another-secret-0123456789abcdef-0123456789" }),
      (err) => err instanceof ConfigError && /GATEHOUSE_SECRET is not the key/.test(err.message),
    );
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-other-node-"));
    try {
      await assert.rejects(
        createContext({ ...config, dataDir: otherDir }),
        (err) => err instanceof ConfigError && /master key this node does not have/.test(err.message),
      );
      assert.ok(
        !fs.existsSync(path.join(otherDir, MASTER_KEY_FILE)),
        "the key it made up is not left behind",
      );
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("an install that stored its secrets in clear is sealed in place at start; its server secret moves out of the database", async () => {
    const db = h().ctx.db.kysely;
    const { userPoolId, userPoolSecret, appId, appSecret } = h().boot;
    const serverSecret = h().ctx.keys.secret;
    const rsa = JSON.stringify({
      publicKey: h().ctx.keys.rsaPublicKeyPem,
      privateKey: h().ctx.keys.rsaPrivateKeyPem,
    });
    const t = await signedInUser(h(), "upgrade@example.com", "correct horse 1", "openid offline_access");
    // What an older version left: clear values, the server secret in gh_meta, no key file, no key check.
    await sql`UPDATE user_pools SET secret = ${userPoolSecret} WHERE id = ${userPoolId}`.execute(db);
    await sql`UPDATE applications SET secret = ${appSecret} WHERE id = ${appId}`.execute(db);
    await sql`UPDATE gh_meta SET value = ${rsa} WHERE key = 'rsa_keypair'`.execute(db);
    await sql`DELETE FROM gh_meta WHERE key = 'secrets_key_check'`.execute(db);
    await sql`INSERT INTO gh_meta (key, value) VALUES ('server_secret', ${serverSecret})`.execute(db);
    const keyFile = path.join(h().ctx.config.dataDir, MASTER_KEY_FILE);
    fs.rmSync(keyFile);
    await restarted(h(), async (h2) => {
      assert.equal(fs.readFileSync(keyFile, "utf8").trim(), serverSecret, "hashes already stored stay valid");
      assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
      const dump = await rawDump(h2.ctx);
      for (const secret of [userPoolSecret, appSecret, serverSecret]) assert.ok(!dump.includes(secret));
      assert.doesNotMatch(dump, /PRIVATE KEY/);
      const r = await refresh(h2, t.refresh_token, "post");
      assert.equal(r.status, 200, "a refresh token issued before the upgrade still works");
      assert.equal((await mgmt(h2, "GET", "/api/v3/list-applications", { params: {} })).statusCode, 200);
    });
  });
});
