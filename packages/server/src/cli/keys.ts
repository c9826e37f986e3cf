import type { Command } from "commander";
import type { Runner } from "./pool.js";
import { details, emit, type OutputOptions, withContext } from "./shared.js";

/** gatehouse keys rotate */
export function registerKeysCommands(program: Command, run: Runner): void {
  const keys = program
    .command("keys")
    .description("Token signing keys (RS256, published at /oidc/.well-known/jwks.json)");
  keys
    .command("rotate")
    .description(
      "Make a new signing key current. The old key stays in the JWKS until the tokens it signed expire; " +
        "running servers switch within a minute",
    )
    .option("--force", "rotate even if the previous key may still have live tokens (they stop verifying)")
    .option("--json", "print JSON")
    .action((opts: OutputOptions & { force?: boolean }) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const r = await ctx.admin.signingKeys.rotate({ force: opts.force });
          emit(opts, r, () =>
            details({
              currentKid: r.kid,
              previousKid: r.previousKid ?? "(none)",
              retiredKid: r.retiredKid ?? "(none)",
            }),
          );
        }),
      ),
    );
}
