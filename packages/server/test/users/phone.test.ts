import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizePhone, splitE164 } from "../../src/services/users/phone.js";

describe("phone numbers", () => {
  it("a number typed again gets the same answer, and the country code still decides", () => {
    const first = normalizePhone("13900139000", undefined, "+86");
    const again = normalizePhone(" 13900139000 ", "86", "+1");
    assert.deepEqual(again, { e164: "+8613900139000", national: "13900139000", countryCode: "+86" });
    assert.deepEqual(first, again);
    // The same digits under another country code are another number.
    assert.equal(normalizePhone("2025550123", "+1", "+86").e164, "+12025550123");
    assert.equal(normalizePhone("2025550123", "+86", "+1").e164, "+862025550123");
    assert.deepEqual(splitE164("+12025550123"), { phone: "2025550123", phoneCountryCode: "+1" });
  });

  it("an invalid number is refused every time it is typed", () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(() => normalizePhone("12345", undefined, "+86"), { key: "INVALID_PHONE" });
      assert.throws(() => normalizePhone("+86 1390013900x", undefined, "+86"), { key: "INVALID_PHONE" });
    }
  });
});
