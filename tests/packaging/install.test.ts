import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * The packages as a stranger gets them: `npm pack` of protocol, sdk and server, installed into an
 * empty folder outside the workspace (docs/operations.md#installing-from-the-packages). Nothing of
 * the workspace is visible there but what the tarballs declare.
 */
/** The workspace root: the nearest folder up with a package-lock.json (tests may run from a mirror under .tmp/). */
function workspaceRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package-lock.json"))) return dir;
  }
  throw new Error(`no workspace root above ${from}`);
}
const repo = workspaceRoot(path.dirname(fileURLToPath(import.meta.url)));
const requireFromRepo = createRequire(path.join(repo, "package.json"));
const tsc = requireFromRepo.resolve("typescript/bin/tsc");

const root = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-install-"));
const packs = path.join(root, "packs");
const project = path.join(root, "project");

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: "pipe" });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

/** `npx gatehouse start` in the project; resolves once it listens. */
function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(path.join(project, "node_modules", ".bin", "gatehouse"), ["start"], {
    cwd: project,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? root,
      GATEHOUSE_PORT: "0",
      GATEHOUSE_HOST: "127.0.0.1",
    },
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const read = (d: Buffer) => {
      out += d;
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*Gatehouse is listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string });
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

describe("installing the packed packages into an empty project", { timeout: 600_000 }, () => {
  let server: ChildProcess | undefined;

  before(() => {
    fs.mkdirSync(packs);
    fs.mkdirSync(project);
    sh(
      "npm",
      [
        "pack",
        "-w",
        "packages/protocol",
        "-w",
        "packages/sdk",
        "-w",
        "packages/server",
        "--pack-destination",
        packs,
      ],
      repo,
    );
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "stranger", private: true, type: "module" }),
    );
    const tarballs = fs.readdirSync(packs).map((f) => path.join(packs, f));
    assert.equal(tarballs.length, 3);
    // Install scripts are skipped: the only one is better-sqlite3's native build, which is
    // better-sqlite3's business, not ours. The workspace's build is the same file when the versions
    // match (same Node, same machine); otherwise it is compiled here.
    sh("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", ...tarballs], project);
    const version = (dir: string) =>
      JSON.parse(fs.readFileSync(path.join(dir, "node_modules/better-sqlite3/package.json"), "utf8")).version;
    const addon = "node_modules/better-sqlite3/build/Release/better_sqlite3.node";
    if (version(project) === version(repo) && fs.existsSync(path.join(repo, addon))) {
      fs.mkdirSync(path.dirname(path.join(project, addon)), { recursive: true });
      fs.copyFileSync(path.join(repo, addon), path.join(project, addon));
    } else {
      sh("npm", ["rebuild", "better-sqlite3"], project, { npm_config_build_from_source: "true" });
    }
  });

  after(() => {
    server?.kill("SIGTERM");
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("each tarball holds its built code and declares every package it imports", () => {
    for (const name of ["protocol", "sdk", "server"]) {
      const pkg = JSON.parse(
        fs.readFileSync(path.join(project, "node_modules/@gatehouse", name, "package.json"), "utf8"),
      );
      assert.equal(pkg.private, undefined, `${name} is installable`);
      const entry = name === "server" ? "dist/cli/index.js" : "dist/index.js";
      assert.ok(
        fs.existsSync(path.join(project, "node_modules/@gatehouse", name, entry)),
        `${name} ships ${entry}`,
      );
    }
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(project, "node_modules/@gatehouse/sdk/package.json"), "utf8"))
        .dependencies["@gatehouse/protocol"],
      "^0.1.0",
    );
  });

  it("`gatehouse start` runs the server on SQLite, and the SDK signs up and in from the project", async () => {
    const started = await startServer();
    server = started.child;
    const boot = JSON.parse(fs.readFileSync(path.join(project, "data/bootstrap.json"), "utf8"));
    fs.writeFileSync(
      path.join(project, "sign-in.mjs"),
      `import { AuthenticationClient } from "@gatehouse/sdk";
const auth = new AuthenticationClient({ appId: process.argv[2], appSecret: process.argv[3], appHost: process.argv[4] });
const signUp = await auth.signUp({ connection: "PASSWORD", passwordPayload: { email: "stranger@example.com", password: "correct-Horse-7" } });
const signIn = await auth.signInByEmailPassword({ email: "stranger@example.com", password: "correct-Horse-7" });
const me = await auth.getProfile();
console.log(JSON.stringify({ signedUp: signUp.data.userId, token: typeof signIn.data.access_token, email: me.data.email }));
`,
    );
    const out = JSON.parse(sh("node", ["sign-in.mjs", boot.appId, boot.appSecret, started.url], project));
    assert.equal(out.token, "string");
    assert.equal(out.email, "stranger@example.com");
    assert.match(out.signedUp, /^[0-9a-f]{24}$/);
    // The hosted pages' templates and stylesheet ship in the tarball (docs/hosted-pages.md).
    const page = await fetch(`${started.url}/interaction/no-such-interaction`, {
      headers: { "accept-language": "en" },
    });
    const html = await page.text();
    assert.equal(page.status, 400);
    assert.match(html, /This sign-in page has expired/);
    const css = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1] ?? "";
    assert.equal((await fetch(`${started.url}${css}`)).status, 200, css);
  });

  for (const moduleResolution of ["bundler", "node16"] as const) {
    it(`a TypeScript project (moduleResolution ${moduleResolution}) type-checks against the SDK's declarations`, () => {
      fs.writeFileSync(
        path.join(project, "typed.ts"),
        `import { AuthenticationClient, ManagementClient } from "@gatehouse/sdk";
const auth = new AuthenticationClient({ appId: "a", appHost: "https://id.example" });
export async function email(): Promise<string | null | undefined> {
  const { data } = await auth.getProfile();
  return data.email;
}
export const management = ManagementClient;
// @ts-expect-error the SDK's types know getProfile's options
await auth.getProfile({ withCustomData: "yes" });
`,
      );
      const config = {
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          module: moduleResolution === "bundler" ? "ESNext" : "Node16",
          moduleResolution,
          skipLibCheck: false,
          types: [],
        },
        files: ["typed.ts"],
      };
      fs.writeFileSync(path.join(project, `tsconfig.${moduleResolution}.json`), JSON.stringify(config));
      try {
        sh(process.execPath, [tsc, "-p", `tsconfig.${moduleResolution}.json`], project);
      } catch (err) {
        assert.fail(`tsc failed:\n${(err as { stdout?: string }).stdout ?? err}`);
      }
    });
  }

  it("a browser bundle of the SDK builds with no Node built-in", async () => {
    fs.writeFileSync(
      path.join(project, "browser.js"),
      `import { AuthenticationClient } from "@gatehouse/sdk";
export const auth = new AuthenticationClient({ appId: "a", appHost: location.origin, tokenEndPointAuthMethod: "none" });`,
    );
    const result = await build({
      absWorkingDir: project,
      entryPoints: ["browser.js"],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    assert.deepEqual(result.errors, []);
    assert.match(result.outputFiles[0]!.text, /\/api\/v3\/get-profile/);
  });
});
