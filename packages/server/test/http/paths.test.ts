import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { assetPaths, authPaths, managementPaths, oauthPaths, oidcPaths, opsPaths } from "@gatehouse/protocol";
import { createHarness, type Harness } from "../helpers/harness.js";

/** Paths the SDK knows but the server does not serve (yet). */
const notServed = new Set<string>([]);

describe("endpoint paths: protocol lists what the server serves", () => {
  let current: Awaited<ReturnType<typeof createHarness>>;
  let h: Harness;
  before(async () => {
    // Metrics on the main port, so that /metrics is a route of this app.
    current = await createHarness("sqlite", { config: { metrics: { mode: "public" } } });
    h = current.harness;
  });
  after(() => current.close());

  const served = (url: string) =>
    (["GET", "POST", "PUT", "DELETE"] as const).some((method) => h.app.hasRoute({ method, url }));

  it("every path in protocol is a route", () => {
    for (const group of [authPaths, managementPaths, oidcPaths, oauthPaths, opsPaths, assetPaths]) {
      for (const [name, url] of Object.entries(group)) {
        if (notServed.has(url)) assert.ok(!served(url), `${url} is served now: drop it from notServed`);
        else assert.ok(served(url), `${name}: ${url} is not served`);
      }
    }
  });

  it("server and SDK sources name paths through protocol, not as literals", () => {
    // The README is linked into the test runner's mirror; its real location is the repository root.
    const root = path.dirname(fs.realpathSync(new URL("../../../../README.md", import.meta.url)));
    const literal = /["']\/(api\/v3|oidc|oauth)\/[\w./-]*/g;
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith(".ts")) {
          for (const [m] of fs.readFileSync(p, "utf8").matchAll(literal))
            found.push(`${path.relative(root, p)}: ${m}`);
        }
      }
    };
    walk(path.join(root, "packages/server/src"));
    walk(path.join(root, "packages/sdk/src"));
    assert.deepEqual(
      found,
      [],
      "use authPaths, managementPaths, oidcPaths or oauthPaths from @gatehouse/protocol",
    );
  });
});
