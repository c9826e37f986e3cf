import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "@gatehouse/server/dist/config.js";
import type { Context } from "@gatehouse/server/dist/context.js";
import { parsePoolSettings } from "@gatehouse/server/dist/services/users/pool-settings.js";
import { benchConfig, withBenchContext } from "./bench-context.js";
import type { FreshDatabase } from "./database.js";

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
 *
 * The context is opened for each batch and closed after it: on SQLite, a context left open kept
 * its own checkpoint thread on the server's file through the measured load — copying WAL pages
 * the server's thread would have copied (its cost counted in the bench process, not the server)
 * and holding the checkpoint lock when the server wanted to start the WAL over.
 */
export class CodeIssuer {
  /** Each batch is issued a minute further ahead on the engine's clock (see `issue`). */
  private offsetMs = 0;

  private constructor(
    private readonly config: Config,
    private readonly poolId: string,
  ) {}

  static open(db: FreshDatabase, poolId: string): CodeIssuer {
    // The bench's own connections need not wait for durable commits (the server's still do).
    const url =
      db.dialect === "postgres"
        ? `${db.url}${db.url.includes("?") ? "&" : "?"}options=${encodeURIComponent("-c synchronous_commit=off")}`
        : db.url;
    const config = benchConfig(db, {
      databaseUrl: url,
      smsSender: "memory",
      emailSender: "memory",
      codeTargetHourlyLimit: 1_000_000_000,
      codeIpHourlyLimit: 1_000_000_000,
      smsPoolHourlyLimit: 1_000_000_000,
      emailPoolHourlyLimit: 1_000_000_000,
    });
    return new CodeIssuer(config, poolId);
  }

  private withContext<T>(work: (ctx: Context) => Promise<T>): Promise<T> {
    return withBenchContext(this.config, work, { now: () => Date.now() + this.offsetMs });
  }

  /**
   * One code per request, in order. A phone given a code in an earlier batch that was never used
   * is past its one-a-minute cooldown in the next, and codes issued ahead expire later in real
   * time, never sooner.
   */
  issue(requests: CodeRequest[], concurrency = 32): Promise<string[]> {
    this.offsetMs += 61_000;
    return this.withContext(async (ctx) => {
      const pool = await ctx.repos.pools.findPoolById(this.poolId);
      if (!pool) throw new Error("bench pool is missing");
      const settings = parsePoolSettings(pool.settings);
      const codes: string[] = new Array(requests.length);
      let next = 0;
      const lane = async () => {
        while (next < requests.length) {
          const i = next++;
          const r = requests[i];
          const from = ctx.outbox.messages.length;
          await ctx.codes.send({
            poolId: this.poolId,
            kind: "sms",
            target: r.phone,
            channel: r.channel,
            settings,
          });
          // The memory sender records synchronously inside send(); find ours from where we were.
          const m = ctx.outbox.messages.slice(from).find((x) => x.to === r.phone && x.channel === r.channel);
          if (!m?.code) throw new Error(`no code was sent to ${r.phone} on ${r.channel}`);
          codes[i] = m.code;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      return codes;
    });
  }

  /** The phone each user has now (E.164), read through the server's own repository. */
  phonesOf(userIds: string[]): Promise<string[]> {
    return this.withContext((ctx) =>
      Promise.all(
        userIds.map(async (id) => {
          const user = await ctx.repos.users.findUserById(this.poolId, id);
          if (!user?.phone) throw new Error(`bench user ${id} has no phone`);
          return user.phone;
        }),
      ),
    );
  }

  /**
   * Pending sign-in interactions of an application, stored through the OpenID Provider's own
   * service as `/oidc/auth` stores them (ten minutes each): the hosted sign-in page's inputs.
   */
  loginInteractions(appId: string, count: number): Promise<string[]> {
    return this.withContext(async (ctx) => {
      const app = await ctx.repos.applications.findApplicationById(appId);
      if (!app) throw new Error("bench application is missing");
      const request = {
        clientId: app.id,
        redirectUri: "https://rp.bench.test/cb",
        responseType: "code",
        responseMode: "query" as const,
        scope: "openid profile",
        state: "bench",
        prompt: [],
      };
      const uids: string[] = [];
      for (let i = 0; i < count; i++)
        uids.push(await ctx.oidc.interactions.create({ kind: "login", app, request }));
      return uids;
    });
  }
}
