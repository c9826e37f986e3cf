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

/** "body/phonePassCodePayload/newPhoneNumber must be string" — names the field. */
export function formatValidationErrors(errors: ErrorObject[], dataVar: string): Error {
  const text = errors
    .map((e) => {
      const where = `${dataVar}${e.instancePath}`;
      const extra =
        e.keyword === "additionalProperties"
          ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
          : "";
      return `${where} ${e.message ?? "is invalid"}${extra}`;
    })
    .join("; ");
  return new Error(text);
}
