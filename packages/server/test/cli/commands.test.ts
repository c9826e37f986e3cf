import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { gatehouseArgs } from "../helpers/cli-process.js";
import { freshDatabase, postgresAvailable } from "../helpers/harness.js";

const run = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, gatehouseArgs(...args), {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });

/** Starts `gatehouse start` on a free port and resolves with its URL once it listens. */
function start(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, gatehouseArgs("start"), {
    env: { ...process.env, GATEHOUSE_PORT: "0", GATEHOUSE_HOST: "127.0.0.1", ...env },
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running: its pipes would keep this file's process alive after the failure.
      child.kill("SIGKILL");
      reject(new Error(`server did not start:\n${out}`));
    }, 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*Gatehouse is listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string, stdout: () => out });
      }
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

const pgUp = await postgresAvailable();

for (const dialect of ["sqlite", "postgres"] as const) {
  const skip = dialect === "postgres" && !pgUp && "PostgreSQL unreachable (outside CI)";
  describe(`gatehouse command [${dialect}]`, { skip }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-cli-"));
    const db = await freshDatabase(dialect);
    const env = {
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_DATABASE_URL: db.url,
      GATEHOUSE_LOG_LEVEL: "info",
      GATEHOUSE_PUBLIC_URL: "https://id.example.test",
    };
    after(async () => {
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it("start on an empty database bootstraps, serves, writes bootstrap.json (0600) and stops cleanly on SIGTERM", async () => {
      const { child, url, stdout } = await start(env);
      try {
        assert.match(stdout(), /first start — created the default user pool and application/);
        assert.equal((await (await fetch(`${url}/health`)).json()).status, "ok");
        assert.match((await (await fetch(`${url}/api/v3/system`)).json()).rsa.publicKey, /BEGIN PUBLIC KEY/);
        assert.ok((await (await fetch(`${url}/openapi.json`)).json()).paths);
        const file = path.join(dataDir, "bootstrap.json");
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        const boot = JSON.parse(fs.readFileSync(file, "utf8"));
        assert.deepEqual(Object.keys(boot), [
          "userPoolId",
          "userPoolSecret",
          "appId",
          "appSecret",
          "appHost",
        ]);
      } finally {
        assert.equal(await stop(child), 0);
      }
    });

    it("a second start reuses the pool and app; `info --json` prints the same object", async () => {
      const before = fs.readFileSync(path.join(dataDir, "bootstrap.json"), "utf8");
      const { child, stdout } = await start(env);
      assert.doesNotMatch(stdout(), /first start/);
      assert.equal(await stop(child), 0);
      assert.equal(fs.readFileSync(path.join(dataDir, "bootstrap.json"), "utf8"), before);
      const info = run(["info", "--json"], env);
      assert.equal(info.status, 0, info.stderr);
      assert.deepEqual(JSON.parse(info.stdout), JSON.parse(before));
    });

    it("migrate reports an up-to-date database", () => {
      const r = run(["migrate"], env);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /up to date/);
    });
  });
}

describe("gatehouse command: configuration errors", () => {
  it("an invalid option stops the server with a message naming it", () => {
    const r = run(["start"], { GATEHOUSE_PORT: "not-a-port" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /invalid configuration: GATEHOUSE_PORT must be a whole number/);
  });

  it("every command has --help", () => {
    for (const cmd of [[], ["start"], ["migrate"], ["info"]]) {
      const r = run([...cmd, "--help"], {});
      assert.equal(r.status, 0);
      assert.match(r.stdout, /Usage: gatehouse/);
    }
  });
});
