import net from "node:net";

/**
 * A TCP proxy that holds every chunk `delayMs` before passing it on, in each direction: PostgreSQL
 * as a database in the next rack would be (1 ms each way). A few lines of `node:net` instead of a
 * library: toxiproxy and its kin are separate servers in Go with an HTTP control API, and the npm
 * proxies forward without delay — all this needs is a timer per chunk. Timers of one duration
 * fire in the order they were set, so bytes keep their order.
 */
export async function startDelayProxy(
  target: { host: string; port: number },
  delayMs: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<net.Socket>();
  const relay = (from: net.Socket, to: net.Socket) => {
    from.on("data", (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delayMs);
    });
    // Ends and errors travel after the data that came before them.
    from.on("end", () => setTimeout(() => to.end(), delayMs));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
