import { escapeControlChars } from "../lib/control-chars.js";

/** Where the admin commands write; tests swap these to run commands in-process. */
export const io = {
  out(text: string): void {
    process.stdout.write(text);
  },
  err(text: string): void {
    process.stderr.write(text);
  },
  errIsTTY(): boolean {
    return process.stderr.isTTY === true;
  },
  /** The command did not fully succeed (e.g. some import rows were rejected). */
  fail(): void {
    process.exitCode = 1;
  },
};

/**
 * Everything a command prints goes through `print` / `printErr`, so no user-supplied text (a
 * nickname, an application's name, an import file's column) reaches the terminal with a control
 * character in it: C0, DEL, C1 and the bidi overrides and isolates become visible `\uXXXX`
 * escapes (docs/behaviour-and-errors.md §2.12). The printer's own line breaks stay; `cell()`
 * escapes line breaks inside a value. In `--json` output the escapes sit inside JSON strings,
 * where they mean the same characters: a JSON reader gets the stored value unchanged. The one
 * raw writer is the import's progress bar, whose redraw codes are its own and whose text is
 * numbers.
 */
export function print(text: string): void {
  io.out(escapeControlChars(text, { keepNewlines: true }));
}

export function printErr(text: string): void {
  io.err(escapeControlChars(text, { keepNewlines: true }));
}

/** One user-supplied value on one line: its line breaks escaped too. */
export function oneLine(value: string): string {
  return escapeControlChars(value);
}
