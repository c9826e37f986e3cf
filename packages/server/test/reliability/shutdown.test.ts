import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type ServerNode, startNode } from "../helpers/cluster.js";
import { freshPhone } from "../helpers/codes.js";
import { freshDatabase, postgresAvailable } from "../helpers/harness.js";
import { startWebhookReceiver } from "../helpers/receivers.js";

const pgUp = await postgresAvailable();

/**
 * Starts a POST whose body is still arriving: the request is in flight until `finish()` sends
 * the rest. Resolves the response (status + parsed body).
 */
function slowPost(url: string, headers: Record<string, string>, body: string) {
  const u = new URL(url);
  const half = Math.floor(body.length / 2);
  let resolveStarted!: () => void;
  const started = new Promise<void>((r) => {
    resolveStarted = r;
  });
  const req = http.request({
    host: u.hostname,
    port: u.port,
    path: u.pathname,
    method: "POST",
    headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; body: any; connection?: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), connection: res.headers.connection }),
      );
    });
    req.on("error", reject);
  });
  req.on("socket", (s) => s.on("connect", () => setTimeout(resolveStarted, 50)));
  req.flushHeaders();
  req.write(body.slice(0, half));
  return {
    started,
    response,
    finish: () => req.end(body.slice(half)),
  };
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`graceful shutdown on SIGTERM [${dialect}]`, { skip: dialect === "postgres" && !pgUp }, () => {
    let node: ServerNode;
    let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
    let drop: () => Promise<void>;
    let dbFile = "";
    before(async () => {
      receiver = await startWebhookReceiver();
      const db = await freshDatabase(dialect);
      drop = db.drop;
      dbFile = db.url.replace(/^sqlite:/, "");
      node = await startNode({
        env: {
          GATEHOUSE_DATABASE_URL: db.url,
          GATEHOUSE_SMS_SENDER: "webhook",
          GATEHOUSE_SMS_WEBHOOK_URL: receiver.url,
        },
        dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-shutdown-")),
      });
    });
    after(async () => {
      if (node.child.exitCode === null && node.child.signalCode === null) await node.crash();
      await receiver.close();
      await drop();
      fs.rmSync(node.dataDir, { recursive: true, force: true });
    });

    it("stops accepting, finishes the request in flight (its code is delivered), closes the database and exits 0", async () => {
      const phone = freshPhone();
      const appId = JSON.parse(fs.readFileSync(path.join(node.dataDir, "bootstrap.json"), "utf8")).appId;
      const inFlight = slowPost(
        `${node.url}/api/v3/send-sms`,
        { "x-authing-app-id": appId },
        JSON.stringify({ channel: "CHANNEL_LOGIN", phoneNumber: phone }),
      );
      await inFlight.started;
      node.child.kill("SIGTERM");
      // New connections are refused once the listener closed.
      let refused = false;
      for (let i = 0; i < 50 && !refused; i++) {
        await new Promise((r) => setTimeout(r, 20));
        refused = await fetch(`${node.url}/health`).then(
          () => false,
          () => true,
        );
      }
      assert.ok(refused, "the server still accepts new connections after SIGTERM");
      assert.equal(node.child.exitCode, null, "exited before the request in flight finished");
      inFlight.finish();
      const res = await inFlight.response;
      assert.equal(res.status, 200);
      assert.equal(res.body.statusCode, 200, JSON.stringify(res.body));
      // A keep-alive client would otherwise hold the connection (and the shutdown) open.
      assert.equal(res.connection, "close");
      assert.equal(await node.exited, 0);
      // The acknowledged code reached the gateway before the process ended.
      assert.ok(receiver.received.some((r) => JSON.parse(r.body).to === `+86${phone}`));
      assert.match(node.output(), /shutting down/);
      if (dialect === "sqlite") {
        // The last connection to close checkpoints and removes the write-ahead log.
        assert.equal(fs.existsSync(`${dbFile}-wal`), false, "the SQLite database was not closed");
      }
    });
  });
}
