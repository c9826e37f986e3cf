import { assetPaths } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";

/** A neutral head-and-shoulders silhouette: the `photo` of every user who has not set one. */
export const DEFAULT_AVATAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" role="img" aria-label="avatar"><rect width="128" height="128" fill="#e2e8f0"/><circle cx="64" cy="50" r="24" fill="#94a3b8"/><path d="M20 128c0-26 20-42 44-42s44 16 44 42z" fill="#94a3b8"/></svg>`;

/**
 * GET /assets/default-avatar.svg. The file never changes, so browsers may keep it a year; it is
 * meant for `<img>` tags on the applications' own origins, hence a cross-origin resource policy
 * (docs/wire-contract.md §3c).
 */
export function defaultAvatarRoute() {
  return async (app: FastifyInstance) => {
    app.get(assetPaths.defaultAvatar, { schema: { hide: true }, logLevel: "warn" }, async (_request, reply) =>
      reply
        .header("content-type", "image/svg+xml")
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("cross-origin-resource-policy", "cross-origin")
        .send(DEFAULT_AVATAR_SVG),
    );
  };
}
