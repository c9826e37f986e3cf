import { type ApiErrorKey, apiErrors } from "@gatehouse/protocol";

/** The one error type services throw; the envelope plugin renders it (STYLE habit 3). */
export class ApiError extends Error {
  readonly key: ApiErrorKey;
  readonly statusCode: number;
  readonly apiCode?: number;
  readonly data?: unknown;

  constructor(key: ApiErrorKey, opts: { message?: string; data?: unknown } = {}) {
    const def = apiErrors[key] as { statusCode: number; apiCode?: number; message: string };
    super(opts.message ?? def.message);
    this.name = "ApiError";
    this.key = key;
    this.statusCode = def.statusCode;
    this.apiCode = def.apiCode;
    this.data = opts.data;
  }
}
