import assert from "node:assert/strict";
import fs from "node:fs";
import { it } from "node:test";
import { writeBootstrapFile } from "../../src/services/admin/bootstrap.js";
import { cli } from "../helpers/cli.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

const json = async (h: Harness, ...argv: string[]) => {
  const r = await cli(h.ctx.config, ...argv, "--json");
  assert.equal(r.code, 0, `${argv.join(" ")}: ${r.err}`);
  return JSON.parse(r.out);
};

async function managementToken(h: Harness, accessKeyId: string, accessKeySecret: string) {
  const res = await h.inject({
    method: "POST",
    url: "/api/v3/get-management-token",
    payload: { accessKeyId, accessKeySecret },
  });
  return res.json();
}

async function withToken(h: Harness, token: string) {
  const res = await h.inject({
    method: "GET",
    url: "/api/v3/get-security-settings",
    headers: { authorization: `Bearer ${token}` },
  });
  return res.json();
}

describeEachDialect("pool rotate-secret", (h) => {
  it("after rotation the old pool secret is refused (signed 401/1300, token 401) and the new one works", async () => {
    const pool = await json(h(), "pool", "create", "--name", "Rotated");
    const oldKey = { id: pool.userPoolId, secret: pool.userPoolSecret };
    const oldToken = (await managementToken(h(), oldKey.id, oldKey.secret)).data.access_token;
    assert.equal((await withToken(h(), oldToken)).statusCode, 200);

    const rotated = await json(h(), "pool", "rotate-secret", pool.userPoolId);
    assert.equal(rotated.userPoolId, pool.userPoolId);
    assert.match(rotated.userPoolSecret, /^[0-9a-f]{32}$/);
    assert.notEqual(rotated.userPoolSecret, oldKey.secret);

    const signedOld = await mgmt(h(), "GET", "/api/v3/list-applications", { params: {}, key: oldKey });
    assert.deepEqual([signedOld.statusCode, signedOld.apiCode], [401, 1300]);
    assert.equal((await managementToken(h(), oldKey.id, oldKey.secret)).statusCode, 401);
    const tokenOld = await withToken(h(), oldToken);
    assert.deepEqual(
      [tokenOld.statusCode, tokenOld.apiCode],
      [401, 2207],
      "tokens got with the old secret end too",
    );

    const newKey = { id: pool.userPoolId, secret: rotated.userPoolSecret };
    const signedNew = await mgmt(h(), "GET", "/api/v3/list-applications", { params: {}, key: newKey });
    assert.equal(signedNew.statusCode, 200);
    assert.equal(signedNew.data.totalCount, 1);
    const newToken = (await managementToken(h(), newKey.id, newKey.secret)).data.access_token;
    assert.equal((await withToken(h(), newToken)).statusCode, 200);
  });

  it("rotating the default pool's secret rewrites bootstrap.json; an unknown pool is a one-line error", async () => {
    const dataDir = h().ctx.config.dataDir;
    const file = writeBootstrapFile(dataDir, h().boot);
    const rotated = await json(h(), "pool", "rotate-secret", h().boot.userPoolId);
    const written = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(written.userPoolSecret, rotated.userPoolSecret);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const signed = await mgmt(h(), "GET", "/api/v3/list-applications", {
      params: {},
      key: { id: h().boot.userPoolId, secret: rotated.userPoolSecret },
    });
    assert.equal(signed.statusCode, 200);
    const missing = await cli(h().ctx.config, "pool", "rotate-secret", "no-such-pool");
    assert.equal(missing.code, 1);
    assert.equal(missing.err, "gatehouse: no user pool no-such-pool (see: gatehouse pool list)\n");
  });
});
