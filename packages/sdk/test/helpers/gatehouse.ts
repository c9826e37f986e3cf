import net, { type AddressInfo } from "node:net";
import { after, before } from "node:test";
import type { Config } from "../../../server/src/config.js";
import { createHarness, type Harness, type HarnessOptions } from "../../../server/test/helpers/harness.js";

export interface LiveGatehouse {
  /** `http://127.0.0.1:<port>` */
  url: string;
  h: Harness;
}

/**
 * A real Gatehouse listening on 127.0.0.1:0 for the suite (SQLite: these tests exercise the client;
 * the server's own suites cover both dialects).
 */
export function liveGatehouse(
  config: Partial<Config> = {},
  options: Omit<HarnessOptions, "config"> = {},
): () => LiveGatehouse {
  let live: LiveGatehouse | undefined;
  let close: (() => Promise<void>) | undefined;
  before(async () => {
    // The server's issuer is `${publicUrl}/oidc`, so publicUrl must be the address it listens on.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { harness, close: closeHarness } = await createHarness("sqlite", {
      ...options,
      config: { publicUrl: url, ...config },
    });
    await harness.app.listen({ host: "127.0.0.1", port });
    live = { url, h: harness };
    close = closeHarness;
  });
  after(async () => {
    await close?.();
  });
  return () => {
    if (!live) throw new Error("Gatehouse not started");
    return live;
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
