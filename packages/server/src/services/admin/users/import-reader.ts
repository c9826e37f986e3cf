import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";

/**
 * Streams the rows of a `gatehouse user import` file: CSV with a header row, or JSON Lines.
 * Nothing is loaded whole; a bad row becomes a record with `error`, a broken file throws.
 */
export type ImportFormat = "csv" | "jsonl";

export interface ImportRecord {
  /** 1-based line in the file (for CSV: where the record ends). */
  line: number;
  fields: Record<string, unknown>;
  error?: string;
}

export function importFormatOf(file: string, explicit?: string): ImportFormat {
  const f =
    explicit ?? (/\.(jsonl|ndjson|json)$/i.test(file) ? "jsonl" : /\.csv$/i.test(file) ? "csv" : undefined);
  if (f !== "csv" && f !== "jsonl") {
    throw new Error(`cannot tell the format of ${file}: name it .csv or .jsonl, or pass --format csv|jsonl`);
  }
  return f;
}

const BOOLEAN_COLUMNS = new Set(["emailVerified", "phoneVerified"]);
const JSON_COLUMNS = new Set(["customData", "identities", "metadataSource"]);

/** A CSV row's text cells as typed fields: empty cells are absent, `customData.<key>` nests. */
function csvFields(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(row)) {
    if (raw === undefined || raw === "") continue;
    if (column.startsWith("customData.")) {
      out.customData ??= {};
      (out.customData as Record<string, unknown>)[column.slice("customData.".length)] = raw;
    } else if (BOOLEAN_COLUMNS.has(column)) {
      out[column] = /^(true|1|yes|y)$/i.test(raw.trim());
    } else if (JSON_COLUMNS.has(column)) {
      try {
        out[column] = JSON.parse(raw);
      } catch {
        throw new Error(`${column} is not valid JSON`);
      }
    } else {
      out[column] = raw;
    }
  }
  return out;
}

async function* csvRecords(input: Readable): AsyncGenerator<ImportRecord> {
  const parser = input.pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    try {
      yield { line: info.lines, fields: csvFields(record) };
    } catch (err) {
      yield { line: info.lines, fields: {}, error: (err as Error).message };
    }
  }
}

async function* jsonlRecords(input: Readable): AsyncGenerator<ImportRecord> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    const trimmed = text.trim();
    if (trimmed === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      yield { line, fields: {}, error: "not valid JSON" };
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      yield { line, fields: {}, error: "each line must be a JSON object" };
    } else {
      yield { line, fields: value as Record<string, unknown> };
    }
  }
}

export function readImportRecords(input: Readable, format: ImportFormat): AsyncGenerator<ImportRecord> {
  return format === "csv" ? csvRecords(input) : jsonlRecords(input);
}
