import { type ApiErrorDef, apiCodeName, apiErrors } from "@gatehouse/protocol";

/**
 * The registry key for an answer: several keys share an apiCode (2035 is PHONE_TAKEN with 409 and
 * PHONE_ALREADY_BOUND with 422), so the statusCode picks among them; else `apiCodeName`.
 */
function errorName(apiCode: number | undefined, statusCode: number): string | undefined {
  if (apiCode === undefined) return undefined;
  for (const [key, def] of Object.entries(apiErrors) as [string, ApiErrorDef][]) {
    if (def.apiCode === apiCode && def.statusCode === statusCode) return key;
  }
  return apiCodeName(apiCode);
}

/** The `/api/v3` answer shape (docs/wire-contract.md §1.6). */
export interface Envelope<T = undefined> {
  statusCode: number;
  message: string;
  apiCode?: number;
  requestId?: string;
  data: T;
  /** On a validation failure, the whole path of the field the message names, when it is nested. */
  field?: string;
}

/**
 * A request the server answered with a failure: a non-200 envelope `statusCode` on `/api/v3`,
 * or an HTTP error (OAuth `{error, error_description}`) on `/oidc`. `name` is the protocol registry's
 * key for `apiCode` (e.g. `PHONE_TAKEN`) when the server sent one.
 */
export class GatehouseError extends Error {
  readonly statusCode: number;
  readonly apiCode?: number;
  readonly requestId?: string;
  /** OAuth error code (`invalid_grant`, …) for `/oidc/*` failures. */
  readonly error?: string;
  /** The whole path of a nested field a validation failure names (`options.pagination.limit`). */
  readonly field?: string;
  /** The parsed body, e.g. `data.remainCount` on a wrong password. */
  readonly body: unknown;

  constructor(init: {
    statusCode: number;
    message: string;
    apiCode?: number;
    requestId?: string;
    error?: string;
    field?: string;
    body?: unknown;
  }) {
    super(init.message);
    this.name = errorName(init.apiCode, init.statusCode) ?? "GatehouseError";
    this.statusCode = init.statusCode;
    this.apiCode = init.apiCode;
    this.requestId = init.requestId;
    this.error = init.error;
    this.field = init.field;
    this.body = init.body;
  }

  static fromEnvelope(envelope: Envelope<unknown>): GatehouseError {
    return new GatehouseError({
      statusCode: envelope.statusCode,
      message: envelope.message,
      apiCode: envelope.apiCode,
      requestId: envelope.requestId,
      field: envelope.field,
      body: envelope,
    });
  }
}

/** The server could not be reached, or the connection broke before an answer arrived. */
export class GatehouseNetworkError extends Error {
  readonly method: string;
  readonly url: string;
  constructor(message: string, init: { method: string; url: string; cause?: unknown }) {
    super(message, { cause: init.cause });
    this.name = "GatehouseNetworkError";
    this.method = init.method;
    this.url = init.url;
  }
}

/** No answer within the client's `timeout`. */
export class GatehouseTimeoutError extends GatehouseNetworkError {
  readonly timeout: number;
  constructor(init: { method: string; url: string; timeout: number }) {
    super(`No answer from ${init.method} ${init.url} within ${init.timeout} ms`, init);
    this.name = "GatehouseTimeoutError";
    this.timeout = init.timeout;
  }
}

export type TokenErrorReason =
  | "malformed"
  | "signature"
  | "unknown-key"
  | "expired"
  | "not-yet-valid"
  | "issuer"
  | "audience"
  | "nonce"
  | "claim";

/** `parseIDToken` / `parseAccessToken` refused a token. */
export class GatehouseTokenError extends Error {
  readonly reason: TokenErrorReason;
  constructor(reason: TokenErrorReason, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "GatehouseTokenError";
    this.reason = reason;
  }
}
