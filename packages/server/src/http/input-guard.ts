import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ApiError, bilingual } from "../errors.js";

/** Whether any string (or object key) in a parsed body or query holds U+0000. Iterative: bodies can nest deeply. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (v.includes("\u0000")) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes("\u0000")) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

/**
 * Refuses U+0000 anywhere in a body or query before any route sees it. PostgreSQL cannot store
 * it in text (a 500 otherwise), SQLite would store it; neither is a name, address or identifier.
 */
async function inputGuard(app: FastifyInstance) {
  app.addHook("preValidation", async (request: FastifyRequest) => {
    if (containsNul(request.query) || containsNul(request.body)) {
      throw new ApiError("INVALID_REQUEST", {
        texts: bilingual("文本不能包含 NUL（\\u0000）字符", "Text must not contain NUL (\\u0000) characters"),
      });
    }
  });
}

export default fp(inputGuard, { name: "input-guard" });
