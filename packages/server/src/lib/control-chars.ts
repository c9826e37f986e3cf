/**
 * Characters that steer a terminal or reorder the text around them rather than show a glyph:
 * C0 controls, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069). One definition for the username rule and the CLI's output
 * escaping (docs/behaviour-and-errors.md §2.11, §2.12).
 */
const CLASS = "[\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]";
const ONE = new RegExp(CLASS);
const EVERY = new RegExp(CLASS, "g");

export function hasControlChars(text: string): boolean {
  return ONE.test(text);
}

/** `\uXXXX`: visible on a terminal, and the same value when it sits inside a JSON string. */
function visible(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Replaces each control character with its visible `\uXXXX` escape. `keepNewlines` leaves "\n"
 * alone, for text whose line breaks are the writer's own layout.
 */
export function escapeControlChars(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(EVERY, (ch) => (ch === "\n" && options.keepNewlines ? ch : visible(ch)));
}
