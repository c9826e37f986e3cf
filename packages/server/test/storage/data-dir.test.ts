import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { readBootstrap, type ServerNode, startNode } from "../helpers/cluster.js";

const mode = (file: string) => fs.statSync(file).mode & 0o777;

/** The real server (`gatehouse start`) on an embedded SQLite database in its data dir. */
describe("files on disk", () => {
  let root: string;
  let dataDir: string;
  let node: ServerNode;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-files-"));
    dataDir = path.join(root, "data");
    node = await startNode({ env: { GATEHOUSE_SMS_SENDER: "log" }, dataDir });
  });
  after(async () => {
    if (node.child.exitCode === null && node.child.signalCode === null) await node.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("a fresh data dir is 0700 and every file the server creates in it 0600", () => {
    assert.equal(mode(dataDir), 0o700);
    const files = fs.readdirSync(dataDir);
    for (const f of [
      "gatehouse.db",
      "gatehouse.db-wal",
      "gatehouse.db-shm",
      "bootstrap.json",
      "master.key",
    ]) {
      assert.ok(files.includes(f), `${f} exists`);
    }
    for (const f of files) assert.equal(mode(path.join(dataDir, f)), 0o600, f);
  });

  it("the first start prints where bootstrap.json is, never the pool or app secret", () => {
    const boot = readBootstrap(dataDir);
    const out = node.output();
    assert.match(out, /userPoolId\s+[0-9a-f]{24}/);
    assert.ok(out.includes(path.join(dataDir, "bootstrap.json")), "names the file");
    assert.ok(!out.includes(boot.userPoolSecret), "no pool secret in the output");
    assert.ok(!out.includes(boot.appSecret), "no app secret in the output");
    assert.ok(!out.includes(fs.readFileSync(path.join(dataDir, "master.key"), "utf8").trim()));
  });

  it("an install left readable by others is tightened at start, with one warning naming what changed", async () => {
    assert.equal(await node.stop(), 0);
    fs.chmodSync(dataDir, 0o755);
    for (const f of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, f), 0o644);
    const before = node.output().length;
    await node.restart();
    assert.equal(mode(dataDir), 0o700);
    for (const f of fs.readdirSync(dataDir)) assert.equal(mode(path.join(dataDir, f)), 0o600, f);
    const warnings = node
      .output()
      .slice(before)
      .split("\n")
      .filter((l) => l.includes("tightened permissions"));
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]!.includes(path.join(dataDir, "gatehouse.db")));
    assert.ok(warnings[0]!.includes(path.join(dataDir, "bootstrap.json")));
    assert.ok(warnings[0]!.includes(`${dataDir}"`) || warnings[0]!.includes(`${dataDir},`), "names the dir");
  });

  it("a wrong GATEHOUSE_SECRET stops the start with one clear line, not a stack trace", async () => {
    assert.equal(await node.stop(), 0);
    const err = await startNode({
      env: { GATEHOUSE_SMS_SENDER: "log", GATEHOUSE_SECRET: "not-the-key-0123456789abcdef-0123456789" },
      dataDir,
    }).then(
      async (started) => {
        await started.stop();
        assert.fail("the server started with the wrong key");
      },
      (e: Error) => e.message,
    );
    assert.match(err, /exited with 2/);
    assert.match(err, /gatehouse: invalid configuration: GATEHOUSE_SECRET is not the key/);
    assert.doesNotMatch(err, /\n\s+at /, "no stack trace");
  });
});
