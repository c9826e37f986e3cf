import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { caseFold } from "unicode-case-folding";
import { ApiError } from "../../src/errors.js";
import {
  assertUsernameCharacters,
  identifierKey,
  normalizeUsername,
} from "../../src/services/users/identifiers.js";

/** The key and the username rule as pure functions (docs/behaviour-and-errors.md §1.9). */

const sameKey = (...values: string[]) => {
  const keys = values.map(identifierKey);
  assert.equal(new Set(keys).size, 1, `${values.join(" / ")} → ${keys.join(" / ")}`);
};

describe("identifier key: NFKC, full case fold, NFKC", () => {
  it("German sharp s: 'ß', 'ẞ' and 'ss' are one key (toLowerCase keeps 'ß')", () => {
    sameKey("Straße", "STRASSE", "strasse", "STRAẞE");
    assert.equal(identifierKey("STRAẞE"), "strasse");
  });

  it("Greek final sigma folds like any sigma", () => {
    sameKey("ΟΔΟΣ", "οδος", "οδοσ", "Οδος");
  });

  it("Turkish dotted and dotless i follow the default (not Turkic) fold: 'ı' stays its own letter", () => {
    assert.equal(identifierKey("İ"), "i\u0307");
    assert.notEqual(identifierKey("ı"), identifierKey("i"));
    assert.equal(identifierKey("I"), "i");
  });

  it("compatibility forms are their plain letters: full-width, ligatures, mathematical letters, circled digits", () => {
    sameKey("admin", "ａｄｍｉｎ", "ＡＤＭＩＮ", "𝐚𝐝𝐦𝐢𝐧");
    sameKey("office", "oﬃce");
    sameKey("user1", "user①");
  });

  it("canonical spellings are one key: precomposed and decomposed 'É'", () => {
    sameKey("Émile", "E\u0301mile", "émile", "ÉMILE");
  });

  it("invisible characters (zero-width space and joiner, soft hyphen) are removed from the key", () => {
    sameKey("admin", "ad\u200bmin", "adm\u00adin", "a\u200ddmin");
  });

  it("the ASCII shortcut is the full rule: each ASCII character keys as NFKC + fold would", () => {
    for (let cp = 0; cp < 0x80; cp++) {
      const c = String.fromCharCode(cp);
      if (c.trim() === "") continue;
      assert.equal(identifierKey(c), caseFold(c.normalize("NFKC")).normalize("NFKC"), `U+${cp.toString(16)}`);
    }
  });
});

const refused = (username: string) =>
  assert.throws(
    () => assertUsernameCharacters(username),
    (e) => e instanceof ApiError && e.key === "USERNAME_INVALID",
    username,
  );

describe("username rule: letters of one script, digits and _ . -", () => {
  it("refuses Latin mixed with Cyrillic or Greek look-alikes", () => {
    refused("\u0430dmin"); // Cyrillic а
    refused("p\u0430ypal"); // Cyrillic а inside
    refused("\u03bfpen"); // Greek ο
    refused("Алексей-alex");
  });

  it("refuses spaces, punctuation beyond _ . -, symbols and invisible letters", () => {
    for (const u of ["john doe", "a@b", "x'or'1", "a\u2010b", "ab\u3164", "ad\u200bmin", "a\u00a0b"])
      refused(u);
  });

  it("accepts one script, Latin with Han/Kana, Bopomofo or Hangul, and script digits", () => {
    for (const u of [
      "alice_01",
      "Zoë.m",
      "Алексей",
      "Ελένη",
      "山田taro",
      "やまだタロウ99",
      "ㄅㄆ王",
      "김민준kim",
      "محمد٣",
      "ｆｕｌｌｗｉｄｔｈ",
    ]) {
      assert.doesNotThrow(() => assertUsernameCharacters(u), u);
    }
  });

  it("refuses Arabic-Indic digits beside Latin letters (digits count for their script)", () => {
    refused("admin\u0661");
  });

  it("stores the username as typed, composed (NFC), trimmed", () => {
    assert.equal(normalizeUsername("  E\u0301mile "), "Émile");
    assert.equal(normalizeUsername("ａdmin"), "ａdmin");
  });
});
