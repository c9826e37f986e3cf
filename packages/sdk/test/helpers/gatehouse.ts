import type { AddressInfo } from "node:net";
import { after, before } from "node:test";
import type { Config } from "../../../server/src/config.js";
import { createHarness, type Harness } from "../../../server/test/helpers/harness.js";

export interface LiveGatehouse {
  /** `http://127.0.0.1:<port>` */
  url: string;
  h: Harness;
}

/**
 * A real Gatehouse listening on 127.0.0.1:0 for the suite (SQLite: these tests exercise the client;
 * the server's own suites cover both dialects).
 */
export function liveGatehouse(config: Partial<Config> = {}): () => LiveGatehouse {
  let live: LiveGatehouse | undefined;
  let close: (() => Promise<void>) | undefined;
  before(async () => {
    const { harness, close: closeHarness } = await createHarness("sqlite", { config });
    await harness.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = harness.app.server.address() as AddressInfo;
    live = { url: `http://127.0.0.1:${port}`, h: harness };
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
