import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { type ServerNode, startNode } from "../helpers/cluster.js";
import { freshPhone } from "../helpers/codes.js";
import { createHarness, freshDatabase, PG_ADMIN_URL, postgresAvailable } from "../helpers/harness.js";
import { startTcpProxy, viaProxy } from "../helpers/tcp-proxy.js";

const pgUp = await postgresAvailable();

/**
 * "PostgreSQL restarted mid-run", without restarting the server every other test uses: the
 * node reaches PostgreSQL through a proxy this test cuts and restores.
 */
describe("the database goes away and comes back [postgres, one node behind a TCP proxy]", {
  skip: !pgUp,
}, () => {
  let node: ServerNode;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let drop: () => Promise<void>;
  before(async () => {
    const db = await freshDatabase("postgres");
    drop = db.drop;
    const pg = new URL(PG_ADMIN_URL);
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    node = await startNode({
      env: { GATEHOUSE_DATABASE_URL: viaProxy(db.url, proxy.port), GATEHOUSE_SMS_SENDER: "log" },
    });
  });
  after(async () => {
    if (node.child.exitCode === null && node.child.signalCode === null) await node.stop();
    await proxy.close();
    await drop();
  });

  const send = () =>
    node.api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: freshPhone() });
  const preCheck = () =>
    node.api("POST", "/api/v3/pre-check-code", {
      codeType: "SMS",
      smsCodePayload: { phone: freshPhone(), passCode: "123456", channel: "CHANNEL_LOGIN" },
    });

  async function duringOutage() {
    // In flight on pooled connections that just died, and on new connections.
    const during = await Promise.all([send(), preCheck(), send(), preCheck(), send()]);
    for (const res of during) {
      assert.equal(res.statusCode, 503, JSON.stringify(res));
      assert.equal(res.message, "Service temporarily unavailable");
    }
    // /oidc answers in OAuth style, with the HTTP status of an outage.
    const introspect = await fetch(`${node.url}/oidc/token/introspection`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: "x", client_id: "a", client_secret: "b" }),
    });
    assert.equal(introspect.status, 503, await introspect.clone().text());
    assert.equal((await introspect.json()).error, "temporarily_unavailable");
    const ready = await fetch(`${node.url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal((await fetch(`${node.url}/health`)).status, 200);
    assert.equal(node.child.exitCode, null);
  }

  for (const mode of ["reset", "refuse"] as const) {
    it(`while PostgreSQL is unreachable (${mode}) requests answer envelope 503, the process stays up, and it recovers`, async () => {
      assert.equal((await send()).statusCode, 200);
      // Cut while requests are in flight: some hold a connection inside a transaction.
      const load = Array.from({ length: 12 }, () => send());
      await new Promise((r) => setTimeout(r, 5));
      await proxy.cut(mode);
      for (const res of await Promise.all(load))
        assert.ok([200, 503].includes(res.statusCode), JSON.stringify(res));
      try {
        await duringOutage();
      } finally {
        await proxy.restore();
      }
      let after: any;
      for (let i = 0; i < 100; i++) {
        after = await send();
        if (after.statusCode === 200) break;
        assert.equal(after.statusCode, 503, JSON.stringify(after));
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(after.statusCode, 200);
      assert.equal((await preCheck()).statusCode, 200);
      assert.equal((await fetch(`${node.url}/ready`)).status, 200);
    });
  }

  it("the outages logged no stack trace to a client and no crash", () => {
    assert.equal(node.child.exitCode, null);
    assert.doesNotMatch(node.output(), /uncaught|unhandled/i);
  });
});

describe("a statement that waits too long [postgres]", { skip: !pgUp }, () => {
  let current: Awaited<ReturnType<typeof createHarness>>;
  before(async () => {
    current = await createHarness("postgres", { config: { pgStatementTimeoutMs: 300 } });
  });
  after(async () => {
    await current.close();
  });

  it("is cancelled at GATEHOUSE_PG_STATEMENT_TIMEOUT_MS and its request answers 503; the next one works", async () => {
    const h = current.harness;
    const send = () =>
      h.api("POST", "/api/v3/send-sms", { channel: "CHANNEL_LOGIN", phoneNumber: freshPhone() });
    const shown = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(h.ctx.db.kysely);
    assert.equal(shown.rows[0]!.statement_timeout, "300ms");
    const idle = await sql<{
      idle_in_transaction_session_timeout: string;
    }>`SHOW idle_in_transaction_session_timeout`.execute(h.ctx.db.kysely);
    assert.equal(idle.rows[0]!.idle_in_transaction_session_timeout, "1min");

    // Another client holds the codes table (a stuck transaction elsewhere).
    const other = new pg.Client({ connectionString: h.ctx.config.databaseUrl });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("LOCK TABLE verification_codes IN EXCLUSIVE MODE");
      const started = Date.now();
      const res = await send();
      assert.equal(res.statusCode, 503, JSON.stringify(res));
      assert.equal(res.message, "Service temporarily unavailable");
      assert.ok(Date.now() - started < 10_000, "answered at the timeout, not when the lock went");
      await other.query("ROLLBACK");
    } finally {
      await other.end();
    }
    assert.equal((await send()).statusCode, 200);
  });
});
