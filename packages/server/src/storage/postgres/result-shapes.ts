/**
 * node-postgres prepares every result afresh: for each query it looks up a type parser per column
 * and builds an empty row with every column name (a dictionary-mode object), even when the same
 * statement returned the same columns a moment ago (brianc/node-postgres#3055; the fix proposed
 * upstream, #3753, is not released). A user row has ~50 columns: this was about a tenth of the
 * CPU of an authenticated read on PostgreSQL. Written by hand because no option or library does it.
 *
 * The parsers and the empty row are remembered per result shape (column names, types, formats)
 * and per types object (each client has its own). Gatehouse sets its type parsers once, when pg
 * is loaded, before any query; a shape first seen is prepared by pg's own code.
 */
interface FieldDescription {
  name: string;
  dataTypeID: number;
  format?: string;
}
interface PgResult {
  fields: FieldDescription[];
  _types?: object;
  _parsers?: unknown[];
  _prebuiltEmptyResultObject: object | null;
}
interface Prepared {
  parsers: unknown[] | undefined;
  emptyRow: object | null;
}

/** Shapes kept per types object; Gatehouse's SQL has a few dozen. */
const MAX_SHAPES = 500;

const installed = Symbol("gatehouse.resultShapes");

/** Installs the cache on pg's Result class (once, however often pg is loaded). */
export function rememberResultShapes(Result: { prototype: object }) {
  const proto = Result.prototype as {
    addFields(this: PgResult, fields: FieldDescription[]): void;
    [installed]?: true;
  };
  if (proto[installed]) return;
  proto[installed] = true;
  const original = proto.addFields;
  const byTypes = new WeakMap<object, Map<string, Prepared>>();
  const untyped = {};
  proto.addFields = function addFields(this: PgResult, fields: FieldDescription[]) {
    const typesKey = this._types ?? untyped;
    let shapes = byTypes.get(typesKey);
    if (!shapes) {
      shapes = new Map();
      byTypes.set(typesKey, shapes);
    }
    // NUL cannot occur in a PostgreSQL identifier.
    let key = "";
    for (const f of fields) key += `${f.name}\0${f.dataTypeID}\0${f.format ?? "text"}\0`;
    const known = shapes.get(key);
    if (known) {
      this.fields = fields;
      if (fields.length) this._parsers = known.parsers;
      this._prebuiltEmptyResultObject = known.emptyRow;
      return;
    }
    original.call(this, fields);
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(key, { parsers: this._parsers, emptyRow: this._prebuiltEmptyResultObject });
  };
}
