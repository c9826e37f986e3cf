import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";
import { startServer } from "../../src/main.js";
import { describeEachDialect } from "../helpers/harness.js";

describe("GATEHOUSE_METRICS", () => {
  const parse = (raw: string) => loadConfig({ GATEHOUSE_METRICS: raw }).metrics;

  it("is off unless the operator chooses: nothing on the public port says how busy the server is", () => {
    assert.deepEqual(loadConfig({}).metrics, { mode: "off" });
  });

  it("reads off, public and port:<n>, and names the option when the value is wrong", () => {
    assert.deepEqual(parse("public"), { mode: "public" });
    assert.deepEqual(parse("off"), { mode: "off" });
    assert.deepEqual(parse("port:9464"), { mode: "port", port: 9464 });
    for (const bad of ["on", "port:", "port:70000", "port:-1", "9464", "PUBLIC"]) {
      assert.throws(
        () => parse(bad),
        (err: Error) => err instanceof ConfigError && /GATEHOUSE_METRICS/.test(err.message),
        bad,
      );
    }
  });
});

describeEachDialect("metrics off (the default)", (h) => {
  it("/metrics is not served on the main port, /health and /ready still are", async () => {
    assert.equal((await h().inject({ method: "GET", url: "/metrics" })).statusCode, 404);
    assert.equal((await h().inject({ method: "GET", url: "/health" })).json().status, "ok");
    assert.equal((await h().inject({ method: "GET", url: "/ready" })).json().status, "ready");
  });
});

describe("metrics on their own port (port:<n>)", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-metrics-"));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("the second listener serves /metrics and nothing else; the main port does not serve it", async () => {
    const config = loadConfig(
      {},
      { dataDir, port: 0, host: "127.0.0.1", metrics: { mode: "port", port: 0 }, logLevel: "silent" },
    );
    server = await startServer(config);
    assert.ok(server.metricsUrl, "startServer reports where the metrics listen");
    await fetch(`${server.url}/health`);
    const scrape = await fetch(server.metricsUrl);
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(
      await scrape.text(),
      /gatehouse_http_requests_total\{method="GET",route="\/health",status="200"\} 1/,
    );
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
    const other = new URL(server.metricsUrl);
    other.pathname = "/health";
    assert.equal((await fetch(other)).status, 404);
    assert.equal((await fetch(server.metricsUrl, { method: "POST" })).status, 404);
  });
});
