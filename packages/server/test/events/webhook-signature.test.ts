import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { Webhook } from "standardwebhooks";
import { webhookHeaders, webhookSignature } from "../../src/services/events/webhook-request.js";

describe("webhook signature (Standard Webhooks, signed with node:crypto)", () => {
  it("is byte for byte what the standardwebhooks library signs, for any secret and body", () => {
    const secrets = ["s3cr3t", "clé-секрет-密钥", randomBytes(24).toString("base64url")];
    const bodies = [
      "",
      JSON.stringify({ eventName: "register", data: { userId: "u1", nickname: "Zoë 🙂", photo: "" } }),
      "eventName=register&data=%7B%22a%22%3A1%7D",
      "x".repeat(70_000),
    ];
    for (const secret of secrets) {
      const lib = new Webhook(Buffer.from(secret, "utf8"), { format: "raw" });
      for (const body of bodies) {
        const at = new Date(1_765_000_000_123);
        const id = `msg_${randomBytes(8).toString("hex")}`;
        const ours = webhookSignature(secret, id, Math.floor(at.getTime() / 1000), body);
        assert.equal(ours, lib.sign(id, at, body));
      }
    }
  });

  it("the headers of an attempt verify with the library, and not with another secret", () => {
    const body = JSON.stringify({ eventName: "user:updated", data: { userId: "u2", city: "Zürich" } });
    const call = {
      url: "http://127.0.0.1/hook",
      contentType: "application/json" as const,
      secret: "whsec-test-ÿ",
      poolId: "pool-1",
      messageId: "msg_1",
      payload: JSON.parse(body),
      timeoutMs: 1000,
      allowPrivate: true,
    };
    const headers = webhookHeaders(call, body, new Date());
    const verified = new Webhook(Buffer.from(call.secret, "utf8"), { format: "raw" }).verify(body, headers);
    assert.deepEqual(verified, JSON.parse(body));
    assert.throws(() =>
      new Webhook(Buffer.from("another secret", "utf8"), { format: "raw" }).verify(body, headers),
    );
  });
});
