import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeControlChars, hasControlChars } from "../../src/lib/control-chars.js";

describe("control characters (docs/behaviour-and-errors.md §2.11, §2.12)", () => {
  const controls: [string, string][] = [
    ["NUL", "\u0000"],
    ["ESC", "\u001b"],
    ["line feed", "\n"],
    ["carriage return", "\r"],
    ["DEL", "\u007f"],
    ["C1 CSI", "\u009b"],
    ["C1 NEL", "\u0085"],
    ["LRE", "\u202a"],
    ["RLO", "\u202e"],
    ["LRI", "\u2066"],
    ["PDI", "\u2069"],
  ];

  for (const [name, ch] of controls) {
    it(`${name} is a control character and is printed as its \\u escape`, () => {
      assert.equal(hasControlChars(`a${ch}b`), true);
      const code = ch.charCodeAt(0).toString(16).padStart(4, "0");
      assert.equal(escapeControlChars(`a${ch}b`), `a\\u${code}b`);
    });
  }

  it("ordinary text — non-Latin, accents, emoji, zero-width joiner — is left alone", () => {
    for (const text of ["名字", "Zoë", "👩‍💻", "שלום", "tab-free text"]) {
      assert.equal(hasControlChars(text), false, text);
      assert.equal(escapeControlChars(text), text);
    }
  });

  it("keepNewlines keeps the printer's line breaks and escapes everything else", () => {
    assert.equal(
      escapeControlChars("row 1\u001b[2J\nrow 2\r\u202e", { keepNewlines: true }),
      "row 1\\u001b[2J\nrow 2\\u000d\\u202e",
    );
  });

  it("the escaped text inside a JSON string parses back to the original value", () => {
    const value = "red\u001b[31m \u009b \u202e \u007f";
    const printed = escapeControlChars(JSON.stringify({ value }), { keepNewlines: true });
    assert.equal(hasControlChars(printed), false);
    assert.equal(JSON.parse(printed).value, value);
  });
});
