import assert from "node:assert/strict";
import { type ApiErrorKey, apiErrors } from "@gatehouse/protocol";

/**
 * Asserts that an envelope is the registry's error `key`: its statusCode and apiCode, and — for
 * the errors without an apiCode, which only their message tells apart — the registry's message.
 */
export function assertApiError(envelope: any, key: ApiErrorKey): void {
  const def = apiErrors[key];
  const seen = JSON.stringify(envelope);
  assert.equal(envelope.statusCode, def.statusCode, `${key}: ${seen}`);
  assert.equal(envelope.apiCode, "apiCode" in def ? def.apiCode : undefined, `${key}: ${seen}`);
  if (!("apiCode" in def)) assert.equal(envelope.message, def.message, `${key}: ${seen}`);
}
