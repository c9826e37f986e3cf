import { createHash } from "node:crypto";

/** One PKCE pair for every authorization request of the bench (RFC 7636, S256). */
export const CODE_VERIFIER = "bench-code-verifier-0123456789abcdefghijklmnopqrstuvwxyz";
export const CODE_CHALLENGE = createHash("sha256").update(CODE_VERIFIER).digest("base64url");
