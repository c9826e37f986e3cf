import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the templates and assets live: in the server package's source tree (the compiler copies
 * no .eta or .css to dist/). Found next to this module — `../../src/hosted` from src/hosted and
 * from dist/hosted alike — or, for a transpiled copy elsewhere (the test runner's), through the
 * package itself.
 */
function hostedDir(): string {
  const beside = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/hosted");
  if (fs.existsSync(path.join(beside, "templates"))) return beside;
  const serverRoot = path.dirname(createRequire(import.meta.url).resolve("@gatehouse/server/package.json"));
  return path.join(serverRoot, "src/hosted");
}
const HOSTED_DIR = hostedDir();
export const TEMPLATES_DIR = path.join(HOSTED_DIR, "templates");
export const ASSETS_DIR = path.join(HOSTED_DIR, "assets");

/**
 * Scripts served from their packages under the assets' prefix, by name: the browser half of
 * @simplewebauthn (its UMD bundle defines `SimpleWebAuthnBrowser`), pinned in package.json.
 */
function vendorAssets(): Record<string, string> {
  const entry = createRequire(import.meta.url).resolve("@simplewebauthn/browser");
  const bundle = path.resolve(path.dirname(entry), "../dist/bundle/index.umd.min.js");
  return { "simplewebauthn-browser.js": bundle };
}
export const VENDOR_ASSETS = vendorAssets();

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
  for (const [name, file] of Object.entries(VENDOR_ASSETS).sort()) {
    hash.update(name);
    hash.update(fs.readFileSync(file));
  }
  return hash.digest("hex").slice(0, 12);
}
