import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

const SAFE_ID = /^[\w.:-]{1,128}$/;

/** Honour an incoming x-request-id when it is a sane token, else make one. */
export function genReqId(req: IncomingMessage): string {
  const incoming = req.headers["x-request-id"];
  return typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
}

const SECRET_PARAMS =
  /^(access_token|id_token|refresh_token|token|code|client_secret|password|id_token_hint)$/i;
/** A query that may carry one of SECRET_PARAMS: one named so, or any percent-encoded name. */
const MAY_CARRY_SECRET =
  /(?:^|&)(?:access_token|id_token|refresh_token|token|code|client_secret|password|id_token_hint)=|%/i;

/** The URL with the values of secret-bearing query parameters replaced, for logs. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  // Most URLs carry no secret: answered by one regular expression, no splitting (every request logs its URL).
  if (q < 0 || !MAY_CARRY_SECRET.test(url.slice(q + 1))) return url;
  const params = url
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const [k] = pair.split("=", 1);
      let name = k ?? "";
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return SECRET_PARAMS.test(name) ? `${k}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join("&")}`;
}

/** What a request log line says about the request: no headers, no body, no secrets. */
export function requestSerializer(req: {
  method: string;
  url: string;
  ip?: string;
  headers?: Record<string, unknown>;
}) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    remoteAddress: req.ip,
    userAgent: req.headers?.["user-agent"],
  };
}

/**
 * Serializers of every Gatehouse logger. They name the fields a line may carry (an allow-list):
 * headers (Authorization, Cookie, Set-Cookie, signature nonces) and bodies never reach a log, so
 * no redaction pass is needed — pino's path redaction clones and re-parses its paths on every
 * line, about a tenth of the CPU of a small authenticated read.
 */
export const logSerializers = {
  req: requestSerializer,
  res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
};
