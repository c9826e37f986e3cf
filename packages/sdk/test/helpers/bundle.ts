import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const sdkSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/index.ts");

/** Bundles `exports` of the SDK the way an app's bundler would (ESM, minified, browser). */
export async function bundleSdk(
  exports: string,
  options: { externalJose?: boolean; splitting?: boolean; outdir?: string } = {},
): Promise<{ files: { path: string; text: string; bytes: number; gzip: number }[] }> {
  const result = await esbuild.build({
    stdin: {
      contents: `export { ${exports} } from ${JSON.stringify(sdkSrc)};`,
      resolveDir: path.dirname(sdkSrc),
      loader: "ts",
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    external: options.externalJose ? ["jose"] : [],
    splitting: options.splitting ?? false,
    outdir: options.outdir ?? "/virtual",
    logLevel: "silent",
  });
  return {
    files: result.outputFiles.map((f) => ({
      path: f.path,
      text: f.text,
      bytes: f.contents.length,
      gzip: gzipSync(f.contents, { level: 9 }).length,
    })),
  };
}
