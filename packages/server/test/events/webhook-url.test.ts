import assert from "node:assert/strict";
import { it } from "node:test";
import { assertWebhookUrl, isPrivateAddress } from "../../src/services/events/webhook-url.js";
import { rejectsWith } from "../helpers/errors.js";

it("webhook urls: loopback, private, link-local and mapped addresses are refused unless allowed", () => {
  for (const url of [
    "http://127.0.0.1/hook",
    "http://localhost:8080/",
    "http://api.localhost/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/",
    "http://[fd00::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
  ]) {
    assert.throws(() => assertWebhookUrl(url, false), rejectsWith("WEBHOOK_URL_INVALID"), url);
    assert.doesNotThrow(() => assertWebhookUrl(url, true), url);
  }
  assert.equal(assertWebhookUrl("https://hooks.example.com/in", false), "https://hooks.example.com/in");
  assert.equal(assertWebhookUrl("http://93.184.216.34/in", false), "http://93.184.216.34/in");
});

it("webhook urls: only http(s), no credentials, never unparsable", () => {
  for (const url of [
    "ftp://example.com/",
    "file:///etc/passwd",
    "gopher://x",
    "not a url",
    "https://u:p@example.com/",
  ])
    assert.throws(() => assertWebhookUrl(url, true), rejectsWith("WEBHOOK_URL_INVALID"), url);
});

it("webhook urls: the address check used at connect time", () => {
  assert.equal(isPrivateAddress("8.8.8.8"), false);
  assert.equal(isPrivateAddress("2606:4700::1111"), false);
  assert.equal(isPrivateAddress("127.0.0.53"), true);
  assert.equal(isPrivateAddress("::ffff:10.0.0.1"), true);
  assert.equal(isPrivateAddress("fe80::1"), true);
  assert.equal(isPrivateAddress("not-an-ip"), true);
});
