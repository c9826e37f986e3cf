import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { findUserByUsername } from "../../src/services/users/identifiers.js";
import { signInByPassword } from "../helpers/auth.js";
import { cli } from "../helpers/cli.js";
import { gatehouseArgs } from "../helpers/cli-process.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

const json = async (h: Harness, ...argv: string[]) => {
  const r = await cli(h.ctx.config, ...argv, "--json");
  assert.equal(r.code, 0, `${argv.join(" ")}: ${r.err}`);
  return JSON.parse(r.out);
};

describeEachDialect("admin CLI", (h) => {
  it("pool create prints the new pool's keys and a default application; pool list counts them", async () => {
    const created = await json(h(), "pool", "create", "--name", "Branch office");
    assert.match(created.userPoolId, /^[0-9a-f]{24}$/);
    assert.match(created.userPoolSecret, /^[0-9a-f]{32}$/);
    assert.ok(created.appId);
    const r = await mgmt(h(), "GET", "/api/v3/list-applications", {
      params: {},
      key: { id: created.userPoolId, secret: created.userPoolSecret },
    });
    assert.equal(r.data.totalCount, 1, "the new pool's keys sign management requests");
    const list = await json(h(), "pool", "list");
    const row = list.find((p: any) => p.userPoolId === created.userPoolId);
    assert.deepEqual([row.name, row.users, row.applications], ["Branch office", 0, 1]);
    const table = await cli(h().ctx.config, "pool", "list");
    assert.match(table.out, /^userPoolId\s+name\s+users\s+applications\s+createdAt\n─+/);
    assert.match(table.out, /Branch office/);
  });

  it("app create|list|show|secret, with --refresh replacing the secret", async () => {
    const app = await json(
      h(),
      "app",
      "create",
      "--name",
      "CLI app",
      "--redirect-uri",
      "https://cli.example/a",
      "--redirect-uri",
      "https://cli.example/b",
      "--auth-method",
      "client_secret_basic",
    );
    assert.deepEqual(app.redirectUris, ["https://cli.example/a", "https://cli.example/b"]);
    assert.equal(app.oidcConfig.token_endpoint_auth_method, "client_secret_basic");
    const list = await json(h(), "app", "list");
    assert.ok(list.some((a: any) => a.appId === app.appId));
    const shown = await cli(h().ctx.config, "app", "show", app.appId);
    assert.match(shown.out, /redirectUris\s+https:\/\/cli\.example\/a https:\/\/cli\.example\/b/);
    const secret = await cli(h().ctx.config, "app", "secret", app.appId);
    assert.equal(secret.out.trim(), app.appSecret);
    const refreshed = await json(h(), "app", "secret", app.appId, "--refresh");
    assert.notEqual(refreshed.secret, app.appSecret);
    assert.equal(await h().ctx.admin.apps.secret(h().boot.userPoolId, app.appId), refreshed.secret);
  });

  it("user create|show|update|list|delete against the database", async () => {
    const u = await json(h(), "user", "create", "--email", "cli@example.com", "--name", "Cli User");
    assert.equal(u.email, "cli@example.com");
    const shown = await json(h(), "user", "show", "cli@example.com", "--by", "email");
    assert.equal(shown.userId, u.userId);
    const updated = await json(
      h(),
      "user",
      "update",
      u.userId,
      "--nickname",
      "clio",
      "--status",
      "Suspended",
    );
    assert.equal(updated.nickname, "clio");
    assert.equal(updated.status, "Suspended");
    const list = await cli(h().ctx.config, "user", "list", "--keywords", "cli@");
    assert.match(list.out, /cli@example\.com/);
    assert.match(list.out, /page 1: 1 of 1 users/);
    const del = await cli(h().ctx.config, "user", "delete", u.userId);
    assert.equal(del.code, 0);
    assert.equal(await h().ctx.repos.users.findUserById(h().boot.userPoolId, u.userId), undefined);
  });

  it("user create --password: the user signs in; user unlock lifts a lockout", async () => {
    const u = await json(
      h(),
      "user",
      "create",
      "--email",
      "lock-cli@example.com",
      "--password",
      "cli secret 1",
    );
    const signIn = (password: string) => signInByPassword(h(), { email: "lock-cli@example.com", password });
    assert.equal((await signIn("cli secret 1")).statusCode, 200);
    for (let i = 0; i < 6; i++) await signIn(`wrong ${i}`);
    assert.equal((await signIn("cli secret 1")).apiCode, 2057);
    const r = await cli(h().ctx.config, "user", "unlock", "lock-cli@example.com", "--by", "email");
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), `unlocked ${u.userId}`);
    assert.equal((await signIn("cli secret 1")).statusCode, 200);
  });

  it("a refused operation prints one line and exits 1", async () => {
    await json(h(), "user", "create", "--username", "dup-cli");
    const r = await cli(h().ctx.config, "user", "create", "--username", "DUP-CLI");
    assert.equal(r.code, 1);
    assert.equal(r.err, "gatehouse: Username is already taken\n");
    const missing = await cli(h().ctx.config, "user", "show", "nobody", "--by", "username");
    assert.equal(missing.code, 1);
    const badPool = await cli(h().ctx.config, "user", "list", "--pool", "nope");
    assert.match(badPool.err, /no user pool nope/);
  });

  it("settings get|set with dotted keys and JSON values; invalid values are refused", async () => {
    const set = await cli(
      h().ctx.config,
      "settings",
      "set",
      "verifyCodeLength=4",
      "changePhoneStrategy.verifyOldPhone=false",
    );
    assert.equal(set.code, 0, set.err);
    assert.equal(set.out, "verifyCodeLength = 4\nchangePhoneStrategy.verifyOldPhone = false\n");
    assert.equal(await json(h(), "settings", "get", "changePhoneStrategy.verifyOldPhone"), false);
    const got = await cli(h().ctx.config, "settings", "get", "changePhoneStrategy");
    assert.equal(got.out.trim(), "changePhoneStrategy.verifyOldPhone  false");
    const bad = await cli(h().ctx.config, "settings", "set", "verifyCodeLength=99");
    assert.equal(bad.code, 1);
    assert.equal((await json(h(), "settings", "get")).verifyCodeLength, 4);
  });

  it("access-key create|list|delete; the created key signs management requests", async () => {
    const key = await json(h(), "access-key", "create", "--description", "ci");
    const ok = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
      key: { id: key.accessKeyId, secret: key.accessKeySecret },
    });
    assert.equal(ok.statusCode, 200);
    const list = await cli(h().ctx.config, "access-key", "list");
    assert.match(list.out, new RegExp(`${key.accessKeyId}\\s+true\\s+ci`));
    assert.doesNotMatch(list.out, new RegExp(key.accessKeySecret));
    assert.equal((await cli(h().ctx.config, "access-key", "delete", key.accessKeyId)).code, 0);
    const refused = await mgmt(h(), "GET", "/api/v3/get-security-settings", {
      key: { id: key.accessKeyId, secret: key.accessKeySecret },
    });
    assert.equal(refused.apiCode, 1300);
  });

  it("user import: CSV rows are accepted or rejected with a reason; --rejects lists every rejection", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-import-"));
    const file = path.join(dir, "users.csv");
    const rejects = path.join(dir, "rejects.jsonl");
    fs.writeFileSync(
      file,
      [
        "email,username,phone,name,customData,nickname",
        'imp1@example.com,imp1,,"Last, First",,',
        "imp2@example.com,,13600136000,,,",
        "IMP1@example.com,,,,,", // duplicate of line 2 within the file
        ",,,No identifier,,",
        "bad-email,,,,,",
        'imp3@example.com,,,,"{""nope"":1}",', // undefined custom field
        "imp4@example.com,,12,,,", // bad phone
      ].join("\r\n"),
    );
    const r = await cli(h().ctx.config, "user", "import", file, "--rejects", rejects);
    assert.equal(r.code, 1, "some rows were rejected");
    assert.match(r.out, /imported 2 of 7 rows/);
    assert.match(r.out, /rejected 5: /);
    assert.match(r.out, /line 4: Email is already bound to another user \(earlier in the file\)/);
    assert.match(r.out, /line 5: A user needs at least one of email, phone or username/);
    assert.match(r.out, /line 7: customData\.nope is not a defined custom field/);
    assert.match(r.err, /100\.0%.*7 rows.*rows\/s.*ETA/);
    const lines = fs
      .readFileSync(rejects, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.line),
      [4, 5, 6, 7, 8],
    );
    const u = await mgmt(h(), "GET", "/api/v3/get-user", {
      params: { userId: "imp1", userIdType: "username" },
    });
    assert.equal(u.data.name, "Last, First");
    assert.equal(u.data.userSourceType, "excel");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("user import: JSON Lines with customData objects, kept hashes and an unknown column warning", async () => {
    await mgmt(h(), "POST", "/api/v3/set-custom-fields", {
      body: { list: [{ targetType: "USER", key: "plan", dataType: "STRING" }] },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-import-"));
    const file = path.join(dir, "users.jsonl");
    const hash = "$2b$04$abcdefghijklmnopqrstuuJ4cYH1zx3yqJ8u6K1mEjV4VjQvVd3dS";
    fs.writeFileSync(
      file,
      [
        JSON.stringify({ username: "jl1", customData: { plan: "pro" }, passwordHash: hash, shoeSize: 42 }),
        "",
        "{not json",
        JSON.stringify({ username: "jl2", passwordHash: "plain-not-a-hash" }),
        JSON.stringify({ username: "jl3", gender: "X" }),
      ].join("\n"),
    );
    const r = await cli(h().ctx.config, "user", "import", file, "--json", "--no-progress");
    const summary = JSON.parse(r.out);
    assert.deepEqual([summary.rows, summary.accepted, summary.rejected], [4, 1, 3]);
    assert.deepEqual(summary.rejectedByReason, { INVALID_ROW: 2, PASSWORD_HASH_INVALID: 1 });
    assert.match(r.err, /ignoring unknown column\(s\): shoeSize/);
    assert.equal(r.err.includes("%"), false, "--no-progress");
    const row = await findUserByUsername(h().ctx.repos, h().boot.userPoolId, "jl1");
    assert.equal(row?.password_hash, hash);
    assert.equal(row?.custom_data, JSON.stringify({ plan: "pro" }));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

it("the real gatehouse binary runs admin commands on the configured database, creating it on first use", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-cli-"));
  try {
    const res = spawnSync(process.execPath, gatehouseArgs("pool", "list", "--json"), {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: "silent" },
    });
    assert.equal(res.status, 0, res.stderr);
    const pools = JSON.parse(res.stdout);
    assert.deepEqual(
      pools.map((p: any) => [p.name, p.applications]),
      [["Default user pool", 1]],
    );
    assert.ok(fs.existsSync(path.join(dataDir, "gatehouse.db")));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

it("`gatehouse` is installed by npm ci (node_modules/.bin) and runs the built CLI", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
  const res = spawnSync(path.join(root, "node_modules/.bin/gatehouse"), ["--help"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /Usage: gatehouse/);
});
