import type { FastifyRequest } from "fastify";
import type { PresentedClient } from "../services/auth/client-auth.js";

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** `authorization: Basic base64(id:secret)` (RFC 6749 §2.3.1); any other scheme is ignored. */
export function basicCredentials(request: FastifyRequest): PresentedClient | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string" || !/^basic /i.test(header)) return undefined;
  const text = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  const clientId = decode(text.slice(0, colon));
  const clientSecret = decode(text.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined) return undefined;
  return { clientId, clientSecret };
}

const basicAttempted = (request: FastifyRequest) => /^basic /i.test(request.headers.authorization ?? "");

/**
 * Body credentials win over a Basic header when both are present (docs/wire-contract.md §1.2).
 * `mechanism` names where the secret came from: the body (`client_secret_post`), the Basic header
 * (`client_secret_basic`, also when the header is malformed) or nowhere (`none`).
 */
export function presentedClient(
  request: FastifyRequest,
  body: { client_id?: string; client_secret?: string } | undefined,
): PresentedClient {
  if (body?.client_secret !== undefined) {
    // The official SDK sends its Basic header too when its token endpoint method is basic.
    const basic = basicCredentials(request);
    return {
      clientId: body.client_id ?? basic?.clientId,
      clientSecret: body.client_secret,
      mechanism: "client_secret_post",
    };
  }
  if (basicAttempted(request)) {
    // Field by field: a body without a secret may still come with the same client's Basic header.
    const basic = basicCredentials(request);
    const sameClient = basic && (body?.client_id === undefined || body.client_id === basic.clientId);
    if (!sameClient) return { clientId: body?.client_id, mechanism: "client_secret_basic" };
    return { ...basic, mechanism: "client_secret_basic" };
  }
  return { clientId: body?.client_id, mechanism: "none" };
}
