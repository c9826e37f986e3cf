import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Where the templates and assets live: in the server package's source tree, found through the
 * package itself so that the built server, the tests' transpiled copy and tsx all read the same
 * files (the compiler copies no .eta or .css to dist/).
 */
const serverRoot = path.dirname(createRequire(import.meta.url).resolve("@gatehouse/server/package.json"));
export const TEMPLATES_DIR = path.join(serverRoot, "src/hosted/templates");
export const ASSETS_DIR = path.join(serverRoot, "src/hosted/assets");

/**
 * The assets' version: a hash of their contents, in their URL (`/assets/v-<hash>/…`), so they can
 * be cached for a year and a new release is fetched at once.
 */
export function assetsVersion(): string {
  const hash = createHash("sha256");
  for (const name of fs.readdirSync(ASSETS_DIR).sort()) {
    hash.update(name);
    hash.update(fs.readFileSync(path.join(ASSETS_DIR, name)));
  }
  return hash.digest("hex").slice(0, 12);
}
