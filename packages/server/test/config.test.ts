import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  ConfigError,
  configGroups,
  configOptions,
  configTable,
  editDistance,
  loadConfig,
  toolingVariables,
} from "../src/config.js";

describe("configuration", () => {
  it("has a default for every option", () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.dataDir, "./data");
    assert.equal(c.databaseUrl, "sqlite:data/gatehouse.db");
    assert.equal(c.publicUrl, "http://localhost:3000");
    assert.equal(c.smsSender, "log");
  });

  it("rate limits default to peers' orders of magnitude; no CORS origin without an application", () => {
    const c = loadConfig({});
    assert.deepEqual(
      [c.signUpIpHourlyLimit, c.signUpPoolHourlyLimit, c.smsPoolHourlyLimit, c.emailPoolHourlyLimit],
      [10, 1000, 300, 1000],
    );
    assert.deepEqual(c.corsOrigins, []);
  });

  it("GATEHOUSE_CORS_ORIGINS is a comma-separated list of exact origins", () => {
    const c = loadConfig({ GATEHOUSE_CORS_ORIGINS: " https://admin.example, http://localhost:5173/ ,," });
    assert.deepEqual(c.corsOrigins, ["https://admin.example", "http://localhost:5173"]);
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
    [{ GATEHOUSE_CORS_ORIGINS: "*" }, /GATEHOUSE_CORS_ORIGINS must list origins .*no \*/],
    [{ GATEHOUSE_CORS_ORIGINS: "https://a.example/admin" }, /GATEHOUSE_CORS_ORIGINS must list origins/],
    [{ GATEHOUSE_CORS_ORIGINS: "admin.example" }, /GATEHOUSE_CORS_ORIGINS must list origins/],
    [{ GATEHOUSE_SIGNUP_IP_HOURLY_LIMIT: "0" }, /GATEHOUSE_SIGNUP_IP_HOURLY_LIMIT must be between 1/],
    [
      { GATEHOUSE_BROWSER_SESSION_CROSS_SITE: "true", GATEHOUSE_PUBLIC_URL: "http://id.example" },
      /GATEHOUSE_BROWSER_SESSION_CROSS_SITE needs an https GATEHOUSE_PUBLIC_URL/,
    ],
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

  it("an unknown GATEHOUSE_* variable stops the start, naming it and the closest option", () => {
    assert.throws(
      () => loadConfig({ GATEHOUSE_DATABSE_URL: "sqlite:x.db" }),
      (e) =>
        e instanceof ConfigError &&
        e.message === "GATEHOUSE_DATABSE_URL is not a Gatehouse option; did you mean GATEHOUSE_DATABASE_URL?",
    );
    assert.throws(
      () => loadConfig({ GATEHOUSE_PROT: "80", GATEHOUSE_LOGLEVEL: "info" }),
      (e) =>
        e instanceof ConfigError &&
        /GATEHOUSE_LOGLEVEL is not a Gatehouse option; did you mean GATEHOUSE_LOG_LEVEL\?/.test(e.message) &&
        /GATEHOUSE_PROT is not a Gatehouse option; did you mean GATEHOUSE_PORT\?/.test(e.message),
    );
  });

  it("variables without the GATEHOUSE_ prefix, and the tooling's own GATEHOUSE_* variables, are not refused", () => {
    const env: Record<string, string> = { HOME: "/root", GATEHOUSE: "x", NODE_ENV: "test" };
    for (const name of toolingVariables) env[name] = "1";
    assert.equal(loadConfig(env).port, 3000);
  });

  it("every GATEHOUSE_* variable the repository reads is an option or a known tooling variable", () => {
    // The README is linked into the test runner's mirror; its real location is the repository root.
    const root = path.dirname(fs.realpathSync(new URL("../../../README.md", import.meta.url)));
    const self = path.join(root, "packages/server/test/config.test.ts");
    // .stryker-tmp holds npm run mutate's sandbox copies of the repository (this file among them).
    const skip = new Set(["node_modules", "dist", ".git", ".tmp", "data", ".stryker-tmp", "reports"]);
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!skip.has(entry.name)) walk(p);
        } else if (/\.(ts|mjs|sh)$/.test(entry.name) && p !== self) {
          for (const [name] of fs.readFileSync(p, "utf8").matchAll(/GATEHOUSE_[A-Z0-9_]*[A-Z0-9]\b/g)) {
            found.add(name);
          }
        }
      }
    };
    walk(root);
    assert.ok(
      found.has("GATEHOUSE_DATABASE_URL") && found.has("GATEHOUSE_TEST_PG_URL"),
      "the scan found the sources",
    );
    const options = Object.values(configOptions).flatMap((o) => o.env);
    const unknown = [...found].filter((n) => !options.includes(n) && !toolingVariables.includes(n));
    assert.deepEqual(
      unknown,
      [],
      "add them to configOptions, or to toolingVariables if the server does not read them",
    );
  });

  it("edit distance counts insertions, deletions, substitutions and neighbour swaps as one", () => {
    assert.equal(editDistance("", ""), 0);
    assert.equal(editDistance("abc", ""), 3);
    assert.equal(editDistance("DATABSE", "DATABASE"), 1);
    assert.equal(editDistance("PROT", "PORT"), 1);
    assert.equal(editDistance("HOST", "POST"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
  });

  it("the table has one sub-table per capability group, each option in exactly one", () => {
    const table = configTable();
    for (const { title } of configGroups) assert.ok(table.includes(`**${title}**\n`), title);
    const grouped = configGroups.flatMap((g) => Object.keys(g.options));
    assert.deepEqual([...grouped].sort(), Object.keys(configOptions).sort());
    assert.equal(new Set(grouped).size, grouped.length);
    for (const name of Object.values(configOptions).flatMap((o) => o.env)) {
      assert.equal(table.split(`\`${name}\``).length - 1, 1, name);
    }
  });
});
