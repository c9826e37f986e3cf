import http from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "@gatehouse/server/dist/config.js";
import { type Context, createContext } from "@gatehouse/server/dist/context.js";
import { parsePoolSettings } from "@gatehouse/server/dist/services/settings.js";
import type { FreshDatabase } from "./database.js";
import { BENCH_SECRET } from "./server.js";

/** Where the server's webhook senders deliver during the bench: answers 204, keeps nothing. */
export async function nullWebhook(): Promise<{
  url: string;
  received: () => number;
  close(): Promise<void>;
}> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      n++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CodeRequest {
  /** E.164 */
  phone: string;
  channel: string;
}

/**
 * Pre-issues SMS codes through Gatehouse's own code engine (`ctx.codes.send`), in a context of
 * the bench's own on the server's database (same secret), with a memory outbox to read them
 * from. So code-consuming scenarios measure the consumer, not /send-sms or its cooldown.
 */
export class CodeIssuer {
  private constructor(
    private readonly ctx: Context,
    private readonly poolId: string,
    private readonly clock: { offsetMs: number },
  ) {}

  static async open(db: FreshDatabase, poolId: string): Promise<CodeIssuer> {
    // The bench's own connections need not wait for durable commits (the server's still do).
    const url =
      db.dialect === "postgres"
        ? `${db.url}${db.url.includes("?") ? "&" : "?"}options=${encodeURIComponent("-c synchronous_commit=off")}`
        : db.url;
    const config = loadConfig(
      {},
      {
        databaseUrl: url,
        secret: BENCH_SECRET,
        logLevel: "silent",
        smsSender: "memory",
        emailSender: "memory",
        codeTargetHourlyLimit: 1_000_000_000,
        codeIpHourlyLimit: 1_000_000_000,
      },
    );
    // Each batch is issued a minute further ahead on the engine's clock: a phone given a code in
    // an earlier batch that was never used is past its one-a-minute cooldown, and codes issued
    // ahead expire later in real time, never sooner.
    const clock = { offsetMs: 0 };
    const ctx = await createContext(config, {
      migrate: false,
      clock: { now: () => Date.now() + clock.offsetMs },
    });
    ctx.db.sqlite?.pragma("synchronous = OFF");
    return new CodeIssuer(ctx, poolId, clock);
  }

  /** One code per request, in order. */
  async issue(requests: CodeRequest[], concurrency = 32): Promise<string[]> {
    const pool = await this.ctx.repos.findPoolById(this.poolId);
    if (!pool) throw new Error("bench pool is missing");
    const settings = parsePoolSettings(pool.settings);
    this.clock.offsetMs += 61_000;
    const codes: string[] = new Array(requests.length);
    let next = 0;
    const lane = async () => {
      while (next < requests.length) {
        const i = next++;
        const r = requests[i];
        const from = this.ctx.outbox.messages.length;
        await this.ctx.codes.send({
          poolId: this.poolId,
          kind: "sms",
          target: r.phone,
          channel: r.channel,
          settings,
        });
        // The memory sender records synchronously inside send(); find ours from where we were.
        const m = this.ctx.outbox.messages
          .slice(from)
          .find((x) => x.to === r.phone && x.channel === r.channel);
        if (!m?.code) throw new Error(`no code was sent to ${r.phone} on ${r.channel}`);
        codes[i] = m.code;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    this.ctx.outbox.clear();
    return codes;
  }

  /** The phone each user has now (E.164), read through the server's own repository. */
  async phonesOf(userIds: string[]): Promise<string[]> {
    return Promise.all(
      userIds.map(async (id) => {
        const user = await this.ctx.repos.findUserById(this.poolId, id);
        if (!user?.phone) throw new Error(`bench user ${id} has no phone`);
        return user.phone;
      }),
    );
  }

  close(): Promise<void> {
    return this.ctx.close();
  }
}
