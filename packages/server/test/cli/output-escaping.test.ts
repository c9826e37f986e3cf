import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { gatehouseArgs } from "../helpers/cli-process.js";
import { freshDatabase, postgresAvailable } from "../helpers/harness.js";

/**
 * Terminal escape injection through the CLI (docs/behaviour-and-errors.md §2.12): text a user or
 * an import file supplied is printed with its control characters as visible `\uXXXX` escapes,
 * in tables, in `key value` details, in JSON and in error messages. The real binary is spawned so
 * the bytes asserted on are the bytes a terminal would receive.
 */
const RED = "\u001b[31m";
const RLO = "\u202e";
const CSI = "\u009b";
const HOSTILE = `${RED}red${RLO}evil${CSI}2J`;
/** Raw control characters other than the line feed the printer puts between lines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function assertEscaped(text: string, what: string) {
  const raw = RAW.exec(text);
  assert.equal(raw, null, `${what}: raw U+${raw?.[0].charCodeAt(0).toString(16)} in ${JSON.stringify(text)}`);
  for (const visible of ["\\u001b[31m", "\\u202e", "\\u009b"]) {
    assert.ok(text.includes(visible), `${what}: ${visible} shown in ${JSON.stringify(text)}`);
  }
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`gatehouse output escaping [${dialect}]`, async () => {
    if (dialect === "postgres" && !(await postgresAvailable())) return;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-esc-"));
    const db = await freshDatabase(dialect);
    const env = {
      ...process.env,
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_DATABASE_URL: db.url,
      GATEHOUSE_LOG_LEVEL: "silent",
    };
    const run = (...args: string[]) =>
      spawnSync(process.execPath, gatehouseArgs(...args), { env, encoding: "utf8" });
    after(async () => {
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it("user create|list|show print a nickname and name with ESC, CSI and RLO as visible escapes", () => {
      const created = run(
        "user",
        "create",
        "--username",
        "mallory",
        "--nickname",
        HOSTILE,
        "--name",
        HOSTILE,
        "--json",
      );
      assert.equal(created.status, 0, created.stderr);
      assertEscaped(created.stdout, "user create --json");
      const user = JSON.parse(created.stdout);
      assert.equal(user.nickname, HOSTILE, "a JSON reader still gets the stored value");

      const list = run("user", "list");
      assert.equal(list.status, 0, list.stderr);
      assertEscaped(list.stdout, "user list");
      const listJson = run("user", "list", "--json");
      assertEscaped(listJson.stdout, "user list --json");

      const shown = run("user", "show", user.userId);
      assert.equal(shown.status, 0, shown.stderr);
      assertEscaped(shown.stdout, "user show");
      assert.match(shown.stdout, /^nickname\s+\\u001b\[31mred\\u202eevil\\u009b2J$/m);
    });

    it("a line break inside a value cannot forge a table row", () => {
      const created = run("user", "create", "--username", "forger", "--name", "x\nforged-row  Activated");
      assert.equal(created.status, 0, created.stderr);
      const list = run("user", "list");
      assert.ok(!/^forged-row/m.test(list.stdout), list.stdout);
      assert.match(list.stdout, /x\\u000aforged-row/);
    });

    it("app create|list print an application name with control characters escaped", () => {
      const created = run("app", "create", "--name", HOSTILE, "--json");
      assert.equal(created.status, 0, created.stderr);
      assertEscaped(created.stdout, "app create --json");
      const list = run("app", "list");
      assertEscaped(list.stdout, "app list");
    });

    it("an error message echoing the operator's input escapes it on stderr", () => {
      const r = run("user", "list", `--x${RED}${RLO}${CSI}`);
      assert.notEqual(r.status, 0);
      assert.equal(RAW.exec(r.stderr), null, JSON.stringify(r.stderr));
      assert.ok(r.stderr.includes("\\u001b"), JSON.stringify(r.stderr));
    });
  });
}
