import type { Texts } from "@gatehouse/protocol";
import Ajv, { type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import fastJson from "fast-json-stringify";
import type { FastifySchemaCompiler } from "fastify";
import type { FastifySerializerCompiler } from "fastify/types/schema.js";

/**
 * Two validators: query strings, params and headers are text on the wire and are coerced
 * ("true" → true); JSON bodies are not — a number where a string belongs is a client error.
 * Unknown body fields are kept (ignored) unless a schema forbids them.
 */
const common = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false } as const;
const bodyAjv = addFormats.default(new Ajv.default({ ...common, coerceTypes: false }));
const textAjv = addFormats.default(new Ajv.default({ ...common, coerceTypes: "array" }));

/**
 * Validators and serializers are generated code, a few hundred of them for all routes: each is
 * compiled when its route is first called, so a server holds only those of the routes it serves
 * (idle memory: ~3 MB of heap) and starts faster. A test compiles every route's (compileAllSchemas).
 */
const pending: (() => unknown)[] = [];
function lazily<T>(make: () => T): () => T {
  let value: T | undefined;
  const get = () => {
    value ??= make();
    return value;
  };
  pending.push(get);
  return get;
}

/** Compiles what no call has compiled yet; throws on the first schema that does not compile. */
export function compileAllSchemas(): number {
  for (const compile of pending) compile();
  return pending.length;
}

export const validatorCompiler: FastifySchemaCompiler<any> = ({ schema, httpPart }) => {
  const ajv = httpPart === "body" ? bodyAjv : textAjv;
  const validator = lazily(() => ajv.compile(schema));
  const validate = (data: unknown) => {
    const v = validator();
    // Our schemas are synchronous (no $async): ajv answers a boolean.
    const ok = v(data) as boolean;
    validate.errors = v.errors;
    return ok;
  };
  validate.errors = null as ErrorObject[] | null | undefined;
  return validate;
};

const serializers = new Map<string, (data: unknown) => string>();

/**
 * Fastify compiles a response serializer per route, and our routes share a few dozen response
 * schemas (the user envelope alone serves many): one serializer per distinct schema keeps
 * ~40 generated functions and their source text out of the heap.
 */
function serializerFor(schema: unknown): (data: unknown) => string {
  const key = JSON.stringify(schema);
  let serialize = serializers.get(key);
  if (!serialize) {
    serialize = fastJson(schema as object);
    serializers.set(key, serialize);
  }
  return serialize;
}

export const serializerCompiler: FastifySerializerCompiler<any> = ({ schema }) => {
  const serializer = lazily(() => serializerFor(schema));
  return (data: unknown) => serializer()(data);
};

/**
 * What a person reads when a request does not fit its schema (docs/behaviour-and-errors.md §3.6):
 * one message naming the field and what is wrong with it, in both languages, GenAuth's wording
 * where it has one ("参数 gender 格式错误", "limit must less than 50"). Every route of both API
 * sides goes through here; the validator's raw output is never shown.
 */
type Problem =
  | { kind: "required" | "unknown" | "empty" | "malformed" | "repeated" }
  | { kind: "oneOf"; values: string }
  | { kind: "type"; type: string }
  | { kind: "max" | "min" | "maxLength" | "minLength" | "maxItems" | "minItems"; limit: string };

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  null: "null",
};

const TEXTS: { [K in Problem["kind"]]: (field: string, p: any) => Texts } = {
  required: (f) => ({ "zh-CN": `缺少参数 ${f}`, "en-US": `${f} is required` }),
  unknown: (f) => ({ "zh-CN": `不支持参数 ${f}`, "en-US": `${f} is not accepted here` }),
  empty: (f) => ({ "zh-CN": `${f} 不能为空`, "en-US": `${f} must not be empty` }),
  malformed: (f) => ({ "zh-CN": `参数 ${f} 格式错误`, "en-US": `The ${f} parameter is malformed` }),
  repeated: (f) => ({ "zh-CN": `${f} 不能有重复项`, "en-US": `${f} must not repeat items` }),
  oneOf: (f, p) => ({ "zh-CN": `参数 ${f} 格式错误`, "en-US": `${f} must be one of ${p.values}` }),
  type: (f, p) => ({ "zh-CN": `参数 ${f} 格式错误`, "en-US": `${f} must be ${p.type}` }),
  max: (f, p) => ({ "zh-CN": `${f} 不能大于 ${p.limit}`, "en-US": `${f} must less than ${p.limit}` }),
  min: (f, p) => ({ "zh-CN": `${f} 不能小于 ${p.limit}`, "en-US": `${f} must be at least ${p.limit}` }),
  maxLength: (f, p) => ({
    "zh-CN": `${f} 长度不能超过 ${p.limit} 个字符`,
    "en-US": `${f} must be at most ${p.limit} characters`,
  }),
  minLength: (f, p) => ({
    "zh-CN": `${f} 长度不能少于 ${p.limit} 个字符`,
    "en-US": `${f} must be at least ${p.limit} characters`,
  }),
  maxItems: (f, p) => ({
    "zh-CN": `${f} 最多 ${p.limit} 项`,
    "en-US": `${f} must have at most ${p.limit} items`,
  }),
  minItems: (f, p) => ({
    "zh-CN": `${f} 至少 ${p.limit} 项`,
    "en-US": `${f} must have at least ${p.limit} items`,
  }),
};

/** The path of the value an error is about, as JSON keys (a missing or unknown key included). */
function segmentsOf(e: ErrorObject): string[] {
  const params = e.params as Record<string, unknown>;
  const segments = e.instancePath
    .split("/")
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (e.keyword === "required") segments.push(String(params.missingProperty));
  if (e.keyword === "additionalProperties") segments.push(String(params.additionalProperty));
  return segments;
}

/** `options.pagination.limit`, `list[2].email`: keys joined by dots, array items as `[i]`. */
function joined(segments: readonly string[]): string {
  return segments.reduce(
    (path, s) => (/^\d+$/.test(s) && path !== "" ? `${path}[${s}]` : path === "" ? s : `${path}.${s}`),
    "",
  );
}

/** The field an error is about: its last key (`list[2]` for array items), or the part. */
function fieldOf(e: ErrorObject, dataVar: string): string {
  const segments = segmentsOf(e);
  let last = segments.pop();
  if (last === undefined) return dataVar;
  while (/^\d+$/.test(last) && segments.length > 0) last = `${segments.pop()}[${last}]`;
  return last;
}

const list = (values: unknown[]) => values.map((v) => String(v)).join(", ");

function problemOf(e: ErrorObject, all: readonly ErrorObject[]): Problem {
  const params = e.params as Record<string, any>;
  switch (e.keyword) {
    case "required":
      return { kind: "required" };
    case "additionalProperties":
      return { kind: "unknown" };
    case "anyOf":
    case "oneOf":
    case "const":
    case "enum": {
      const here = all.filter((x) => x.instancePath === e.instancePath);
      const values = here.flatMap((x) =>
        x.keyword === "const"
          ? [(x.params as { allowedValue: unknown }).allowedValue]
          : x.keyword === "enum"
            ? ((x.params as { allowedValues: unknown[] }).allowedValues ?? [])
            : [],
      );
      return values.length > 0
        ? { kind: "oneOf", values: list([...new Set(values)]) }
        : { kind: "malformed" };
    }
    case "type": {
      const types = String(params.type).split(",");
      return { kind: "type", type: types.map((t) => TYPE_NAMES[t] ?? t).join(" or ") };
    }
    case "maximum":
    case "exclusiveMaximum":
      return { kind: "max", limit: String(params.limit) };
    case "minimum":
    case "exclusiveMinimum":
      return { kind: "min", limit: String(params.limit) };
    case "maxLength":
      return { kind: "maxLength", limit: String(params.limit) };
    case "minLength":
      return params.limit === 1 ? { kind: "empty" } : { kind: "minLength", limit: String(params.limit) };
    case "maxItems":
      return { kind: "maxItems", limit: String(params.limit) };
    case "minItems":
      return params.limit === 1 ? { kind: "empty" } : { kind: "minItems", limit: String(params.limit) };
    case "uniqueItems":
      return { kind: "repeated" };
    default:
      return { kind: "malformed" };
  }
}

/**
 * The error a person should hear about: a union's own error (its branches' errors only say why
 * each alternative failed) when there is one, else the first.
 */
function primary(errors: readonly ErrorObject[]): ErrorObject {
  return errors.find((e) => e.keyword === "anyOf" || e.keyword === "oneOf") ?? errors[0]!;
}

/** One readable message, in both languages, for a request part's validation errors. */
export function validationTexts(errors: readonly ErrorObject[], dataVar = "body"): Texts {
  if (errors.length === 0) return TEXTS.malformed(dataVar, {});
  const e = primary(errors);
  const problem = problemOf(e, errors);
  // A field name can be the caller's own key (an unknown property): echoed, but never at length.
  return TEXTS[problem.kind](fieldOf(e, dataVar).slice(0, 64), problem);
}

/**
 * The whole path of the field a validation message names (`options.pagination.limit`), where the
 * message's short name leaves it open: only for a field inside another (docs/behaviour-and-errors.md §3.6).
 */
export function validationField(errors: readonly ErrorObject[], dataVar = "body"): string | undefined {
  if (errors.length === 0) return undefined;
  const e = primary(errors);
  const path = joined(segmentsOf(e));
  return path !== "" && path !== fieldOf(e, dataVar) ? path.slice(0, 256) : undefined;
}

/**
 * Fastify's schemaErrorFormatter: the English message, for logs; the envelope renders the
 * caller's language from the same errors (validationTexts).
 */
export function formatValidationErrors(errors: ErrorObject[], dataVar: string): Error {
  return new Error(validationTexts(errors, dataVar)["en-US"]);
}
