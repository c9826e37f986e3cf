import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bundleSdk } from "./helpers/bundle.js";

const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;

// Measured, printed, not timed: the target is < 15 kB min+gzip for AuthenticationClient without jose.
describe("bundle size (esbuild, minified + gzipped)", () => {
  it("AuthenticationClient without jose: measured and printed", async () => {
    const { files } = await bundleSdk("AuthenticationClient", { externalJose: true });
    const [main] = files;
    console.log(
      `# bundle: AuthenticationClient, jose external: ${kB(main.bytes)} min, ${kB(main.gzip)} min+gzip`,
    );
    assert.ok(!main.text.includes("@sinclair/typebox"), "TypeBox schemas must not reach the client bundle");
    assert.match(main.text, /import\("jose"\)/, "jose is loaded lazily");
  });

  it("jose stays out of the main chunk when bundled with code splitting", async () => {
    const { files } = await bundleSdk("AuthenticationClient", { splitting: true });
    const main = files.find((f) => f.path.endsWith("stdin.js"))!;
    const chunks = files.filter((f) => f !== main);
    const joseBytes = chunks.reduce((n, f) => n + f.gzip, 0);
    console.log(
      `# bundle: AuthenticationClient main chunk ${kB(main.gzip)} min+gzip; jose loaded on first parseIDToken: ${kB(joseBytes)}`,
    );
    assert.ok(chunks.length > 0);
    assert.ok(!main.text.includes("ERR_JWKS_MULTIPLE_MATCHING_KEYS"), "jose's code is not in the main chunk");
  });

  it("ManagementClient alone: measured and printed", async () => {
    const { files } = await bundleSdk("ManagementClient", { externalJose: true });
    console.log(`# bundle: ManagementClient: ${kB(files[0].gzip)} min+gzip`);
    assert.ok(!files[0].text.includes('import("jose")'), "ManagementClient never loads jose");
  });
});
