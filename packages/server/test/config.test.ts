import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { ConfigError, configTable, loadConfig } from "../src/config.js";

describe("configuration", () => {
  it("has a default for every option", () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.dataDir, "./data");
    assert.equal(c.databaseUrl, "sqlite:data/gatehouse.db");
    assert.equal(c.publicUrl, "http://localhost:3000");
    assert.equal(c.smsSender, "log");
  });

  it("honours PORT when GATEHOUSE_PORT is unset, and GATEHOUSE_PORT first", () => {
    assert.equal(loadConfig({ PORT: "8080" }).port, 8080);
    assert.equal(loadConfig({ PORT: "8080", GATEHOUSE_PORT: "9090" }).port, 9090);
    assert.equal(loadConfig({ PORT: "8080" }).publicUrl, "http://localhost:8080");
  });

  it("derives the SQLite path from the data dir and switches to PostgreSQL by URL", () => {
    assert.equal(loadConfig({ GATEHOUSE_DATA_DIR: "/srv/gh" }).databaseUrl, "sqlite:/srv/gh/gatehouse.db");
    const pg = "postgres://127.0.0.1:5432/gh";
    assert.equal(loadConfig({ GATEHOUSE_DATABASE_URL: pg }).databaseUrl, pg);
  });

  const invalid: [Record<string, string>, RegExp][] = [
    [{ GATEHOUSE_PORT: "eighty" }, /GATEHOUSE_PORT must be a whole number/],
    [{ PORT: "70000" }, /PORT must be between 0 and 65535/],
    [
      { GATEHOUSE_DATABASE_URL: "mysql://x" },
      /GATEHOUSE_DATABASE_URL must be a postgres:\/\/ URL or sqlite:<path>/,
    ],
    [{ GATEHOUSE_PUBLIC_URL: "not a url" }, /GATEHOUSE_PUBLIC_URL must be a URL/],
    [{ GATEHOUSE_PUBLIC_URL: "ftp://x" }, /GATEHOUSE_PUBLIC_URL must use http: or https:/],
    [{ GATEHOUSE_SECRET: "short" }, /GATEHOUSE_SECRET must be at least 32 characters/],
    [{ GATEHOUSE_LOG_LEVEL: "loud" }, /GATEHOUSE_LOG_LEVEL must be one of/],
    [{ GATEHOUSE_SMS_SENDER: "pigeon" }, /GATEHOUSE_SMS_SENDER must be one of log, memory, webhook/],
    [{ GATEHOUSE_SMS_SENDER: "webhook" }, /GATEHOUSE_SMS_WEBHOOK_URL is required/],
    [{ GATEHOUSE_EMAIL_SENDER: "smtp" }, /GATEHOUSE_SMTP_URL is required/],
    [{ GATEHOUSE_TRUST_PROXY: "maybe" }, /GATEHOUSE_TRUST_PROXY must be true or false/],
  ];
  for (const [env, message] of invalid) {
    it(`rejects ${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")} naming the option`, () => {
      assert.throws(
        () => loadConfig(env),
        (e) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }

  it("documents every option in the generated table", () => {
    const table = configTable();
    for (const name of [
      "GATEHOUSE_PORT",
      "GATEHOUSE_DATA_DIR",
      "GATEHOUSE_DATABASE_URL",
      "GATEHOUSE_PUBLIC_URL",
      "GATEHOUSE_SECRET",
    ]) {
      assert.match(table, new RegExp(name));
    }
  });

  it("the README's configuration table is the one generated from the schema (run `npm run docs`)", () => {
    const readme = fs.readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    assert.ok(readme.includes(configTable()), "README.md config table is stale: run `npm run docs`");
  });
});
