import assert from "node:assert/strict";
import { type ApiErrorKey, apiErrors } from "@gatehouse/protocol";
import { ApiError } from "../../src/errors.js";

/**
 * Asserts that an envelope is the registry's error `key`: its statusCode and apiCode, and — for
 * the errors without an apiCode, which only their message tells apart — the registry's message
 * (in either language).
 */
export function assertApiError(envelope: any, key: ApiErrorKey): void {
  const def = apiErrors[key];
  const seen = JSON.stringify(envelope);
  assert.equal(envelope.statusCode, def.statusCode, `${key}: ${seen}`);
  assert.equal(envelope.apiCode, "apiCode" in def ? def.apiCode : undefined, `${key}: ${seen}`);
  // The message is the registry's text in the language the request asked for (either of them).
  if (!("apiCode" in def))
    assert.ok(Object.values(def.message).includes(envelope.message), `${key}: ${seen}`);
}

/** For `assert.rejects` on a service call: the promise must reject with the ApiError `key`. */
export function rejectsWith(key: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError ${key}, got ${err}`);
    assert.equal(err.key, key);
    return true;
  };
}
