import type { Context } from "../../src/context.js";
import type { Clock } from "../../src/lib/clock.js";
import { createEmitter } from "../../src/services/events/emit.js";
import { createTokens, type TokensDeps } from "../../src/services/tokens/tokens.js";
import { poolUserDefaults } from "../../src/services/users/dto.js";

/**
 * A token service of a test's own over the harness's context — its own counters (the sweep, the
 * verified-token cache), clock, signing keys or hooks — wired as the server wires it otherwise.
 */
export function ownTokenService(ctx: Context, clock: Clock = ctx.clock, overrides: Partial<TokensDeps> = {}) {
  return createTokens({
    db: ctx.db.kysely,
    repos: ctx.repos,
    signingKeys: ctx.signingKeys,
    sessions: ctx.sessions,
    clock,
    secret: ctx.keys.secret,
    box: ctx.keys.box,
    issuer: ctx.tokens.issuer,
    userDefaults: poolUserDefaults(ctx.repos, ctx.config.publicUrl),
    emit: createEmitter({ clock }),
    ...overrides,
  });
}
