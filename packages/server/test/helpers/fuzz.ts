import fc from "fast-check";

/** One route as the OpenAPI document describes it. */
export interface RouteSpec {
  method: "GET" | "POST";
  path: string;
  /** Body schema (JSON Schema object) when the route takes one. */
  body?: JsonSchema;
  /** Query parameter names. */
  query: string[];
  /** A management API route (access-key authentication) rather than an app-facing one. */
  management: boolean;
}

export interface JsonSchema {
  type?: string | string[];
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
}

/** Every /api/v3 and /oidc route of the app, read from its OpenAPI document (new routes join by themselves). */
export function routesOf(openapi: any): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const [path, ops] of Object.entries<any>(openapi.paths ?? {})) {
    if (!path.startsWith("/api/v3/") && !path.startsWith("/oidc/")) continue;
    for (const [method, op] of Object.entries<any>(ops)) {
      const m = method.toUpperCase();
      if (m !== "GET" && m !== "POST") continue;
      out.push({
        method: m,
        path,
        body: op.requestBody?.content?.["application/json"]?.schema,
        query: (op.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => p.name as string),
        management: (op.tags ?? []).some((t: string) => t.startsWith("management")),
      });
    }
  }
  return out.sort((a, b) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`));
}

/** Strings that have broken parsers, databases and log pipelines before. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uFEFF",
  "\u202E",
  "\uD800",
  "\uDFFF",
  "😀",
  "👨‍👩‍👧‍👦",
  "ｆｕｌｌ＠ｗｉｄｔｈ．ｃｏｍ",
  "İstanbul",
  "ß",
  "\r\n",
  '\n{"level":60}',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  "1; SELECT pg_sleep(5)",
  "%' AND 1=1 --",
  "\\",
  "$1",
  "$" + "{7*7}", // a template-injection probe
  "{{7*7}}",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x1F",
  "+8613800000000",
  "13800000000",
  "a@b.c",
  "a@b",
  "@",
  "CHANNEL_LOGIN",
  "PASSWORD",
  "PASSCODE",
  "SMS",
  "EMAIL",
  "refresh_token",
  "Bearer",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
];

/**
 * The generators of hostile requests. `realistic` values (a real app id, emails, phone numbers,
 * tokens) are mixed into the strings so that some requests get past the first checks.
 */
export function fuzzArbitraries(realistic: string[] = [], hints: Record<string, string[]> = {}) {
  const plainNasty = nastyStrings([]);
  const nastyString = nastyStrings(realistic);
  function nastyStrings(realistic: string[]) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
      { weight: realistic.length > 0 ? 3 : 1, arbitrary: fc.constantFrom(...realistic, "") },
      { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
      {
        weight: 1,
        arbitrary: fc.string({
          unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
          maxLength: 20,
        }),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom("a", "9", "é", "😀", "%", "'"), fc.integer({ min: 200, max: 120_000 }))
          .map(([c, n]) => c.repeat(n)),
      },
    );
  }

  /** A deeply nested array or object, built without recursion in the generator. */
  const deep = fc.tuple(fc.integer({ min: 20, max: 400 }), fc.boolean()).map(([depth, asObject]) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
    return v;
  });

  /** Any value a field might receive from a hostile client. */
  const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 5, arbitrary: nastyString },
    {
      weight: 2,
      arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, -(2 ** 63), 1e308)),
    },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 5 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1000, max: 60_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
    },
    { weight: 1, arbitrary: deep },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        JSON.parse('{"__proto__":{"polluted":true}}'),
        { constructor: { prototype: { polluted: true } } },
        { toString: 1, valueOf: "x", hasOwnProperty: null },
      ),
    },
  );

  /** An object shaped like the schema: known fields present, missing or hostile. */
  /** Mostly a value the schema accepts (so the request reaches the handler), sometimes a hostile one. */
  function shapedValue(
    schema: JsonSchema | undefined,
    depth = 0,
    siblings = 1,
    name = "",
  ): fc.Arbitrary<unknown> {
    if (!schema || depth > 3) return hostileValue;
    // About one hostile field per object: a single bad field among valid ones reaches deep code.
    const valid = conforming(schema, depth);
    const hinted = hints[name];
    return fc.oneof(
      { weight: 1, arbitrary: hostileValue },
      { weight: depth === 0 ? 5 : Math.max(8, 3 * siblings), arbitrary: valid },
      ...(hinted ? [{ weight: Math.max(8, 3 * siblings), arbitrary: fc.constantFrom(...hinted) }] : []),
    );
  }

  function conforming(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => shapedValue(s, depth + 1)));
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case "string": {
        const max = schema.maxLength ?? 200;
        const min = schema.minLength ?? 0;
        return nastyString.map((v) => v.slice(0, max)).filter((v) => v.length >= min);
      }
      case "integer":
      case "number":
        return fc.integer({
          min: Math.max(schema.minimum ?? -5, -1e9),
          max: Math.min(schema.maximum ?? 100, 1e9),
        });
      case "boolean":
        return fc.boolean();
      case "array":
        return fc.array(shapedValue(schema.items, depth + 1), {
          maxLength: Math.min(schema.maxItems ?? 4, 4),
        });
      case "object": {
        if (!schema.properties)
          return fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 3 });
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        const n = Object.keys(schema.properties).length;
        for (const [k, s] of Object.entries(schema.properties)) model[k] = shapedValue(s, depth + 1, n, k);
        const required = (schema.required ?? []).filter((k) => k in model);
        const extra = fc.dictionary(
          fc.oneof(
            fc.constantFrom("__proto__", "constructor", "prototype", "toString"),
            fc.string({ maxLength: 8 }),
          ),
          hostileValue,
          { maxKeys: 3 },
        );
        return fc.oneof(
          { weight: 4, arbitrary: fc.record(model) },
          { weight: 4, arbitrary: fc.record(model, { requiredKeys: required }) },
          { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.record(model, { requiredKeys: required }), extra)
              .map(([known, more]) => ({ ...more, ...known })),
          },
        );
      }
      default:
        return hostileValue;
    }
  }

  /** A raw request body: JSON of a shaped or random value, or bytes that are not JSON at all. */
  function rawBody(schema: JsonSchema | undefined): fc.Arbitrary<string> {
    const shaped = shapedValue(schema).map((v) => JSON.stringify(v) ?? "null");
    return fc.oneof(
      { weight: 6, arbitrary: shaped },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "",
          "{",
          "}",
          '{"a":',
          "[1,2",
          "nul",
          "{'a':1}",
          '{"a":1,"a":2}',
          '{"__proto__":{"polluted":true}}',
          '{"constructor":{"prototype":{"polluted":true}}}',
          '{"connection":"PASSWORD","__proto__":{"isAdmin":true}}',
          "\uFEFF{}",
          '{"a":"\\ud800"}',
          '{"a":1e999}',
          "[".repeat(20_000) + "]".repeat(20_000),
          '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000),
          "\u0000",
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      {
        // Nesting far deeper than any generated value, as text: in a known field or at the top.
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.integer({ min: 1000, max: 45_000 }),
            fc.boolean(),
            fc.constantFrom(...Object.keys(schema?.properties ?? { a: 0 })),
          )
          .map(([depth, asObject, field]) => {
            const inner = asObject
              ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`
              : `${"[".repeat(depth)}${"]".repeat(depth)}`;
            return depth % 2 === 0 ? `{"${field}":${inner}}` : inner;
          }),
      },
      { weight: 1, arbitrary: shaped.map((s) => s.slice(0, Math.max(0, s.length - 1))) },
    );
  }

  const contentTypes = fc.oneof(
    { weight: 8, arbitrary: fc.constant("application/json") },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        "application/json; charset=utf-8",
        "application/json; charset=utf-16",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/xml",
        "APPLICATION/JSON",
        "application/json, text/plain",
        "",
      ),
    },
  );

  /** A query string from the route's parameter names and a few strangers, with repeats. */
  function queryString(names: string[]): fc.Arbitrary<string> {
    const name = fc.oneof(
      fc.constantFrom(
        ...(names.length > 0 ? names : ["x"]),
        "__proto__",
        "constructor[prototype]",
        "a[b][c]",
      ),
      plainNasty.map((v) => v.slice(0, 20)),
    );
    const value = fc.oneof(
      { weight: 6, arbitrary: plainNasty.map((v) => percentEncode(v.slice(0, 3000))) },
      {
        weight: 1,
        arbitrary: fc.constantFrom("%", "%zz", "%E0%A4%A", "%ED%A0%80", "%00", "%C0%AF", "+", "&&", "=="),
      },
    );
    return fc
      .array(fc.tuple(name, value), { maxLength: 6 })
      .map((pairs) => pairs.map(([k, v]) => `${percentEncode(k)}=${v}`).join("&"));
  }

  return { hostileValue, shapedValue, rawBody, contentTypes, queryString, nastyString, plainNasty };
}

/** Percent-encodes the UTF-8 bytes of a string (a lone surrogate becomes U+FFFD, as on the wire). */
function percentEncode(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
