import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ipRateKey } from "../../src/lib/ip-key.js";

describe("ipRateKey: the key a client IP counts under in every rate limit", () => {
  it("an IPv4 address is its own key", () => {
    assert.equal(ipRateKey("203.0.113.7"), "203.0.113.7");
  });

  it("an IPv4-mapped IPv6 address counts with its IPv4 address", () => {
    assert.equal(ipRateKey("::ffff:203.0.113.7"), "203.0.113.7");
    assert.equal(ipRateKey("::FFFF:cb00:7107"), "203.0.113.7");
  });

  it("every address of one IPv6 /64 shares one key, whatever its spelling", () => {
    const key = ipRateKey("2001:db8:1:2::1");
    assert.equal(key, "2001:db8:1:2::/64");
    for (const ip of [
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0DB8:0001:0002:0000:0000:0000:0099",
      "2001:db8:1:2:dead:beef:0:1",
      "2001:db8:1:2::5%eth0",
    ]) {
      assert.equal(ipRateKey(ip), key, ip);
    }
  });

  it("neighbouring /64s have keys of their own", () => {
    assert.notEqual(ipRateKey("2001:db8:1:2::1"), ipRateKey("2001:db8:1:3::1"));
    assert.equal(ipRateKey("2001:db8::1"), "2001:db8::/64");
  });

  it("something that is not an IP address is kept, trimmed, lower-cased and bounded", () => {
    assert.equal(ipRateKey(" Unknown "), "unknown");
    assert.equal(ipRateKey("x".repeat(500)).length, 64);
    // ipaddr.js would read these loose IPv4 spellings; a rate-limit key must not.
    assert.equal(ipRateKey("0x7f.1"), "0x7f.1");
  });
});
