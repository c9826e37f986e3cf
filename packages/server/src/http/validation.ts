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

export const validatorCompiler: FastifySchemaCompiler<any> = ({ schema, httpPart }) =>
  (httpPart === "body" ? bodyAjv : textAjv).compile(schema);

const serializers = new Map<string, (data: unknown) => string>();

/**
 * Fastify compiles a response serializer per route, and our routes share a few dozen response
 * schemas (the user envelope alone serves many): one serializer per distinct schema keeps
 * ~40 generated functions and their source text out of the heap.
 */
export const serializerCompiler: FastifySerializerCompiler<any> = ({ schema }) => {
  const key = JSON.stringify(schema);
  let serialize = serializers.get(key);
  if (!serialize) {
    serialize = fastJson(schema);
    serializers.set(key, serialize);
  }
  return serialize;
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
