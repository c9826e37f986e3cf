import net from "node:net";

export type CutMode =
  /** Close the listener: new connections are refused (ECONNREFUSED). */
  | "refuse"
  /** Accept and drop at once: the client sees the connection reset or terminated. */
  | "reset";

/**
 * A TCP proxy the test controls, standing between a server and its database (or Redis): `cut()`
 * drops every open connection and stops new ones, `restore()` lets them through again. The real
 * database keeps running for every other test.
 */
export async function startTcpProxy(
  target: { host: string; port: number },
  /** Where the proxy listens: a free port on 127.0.0.1 unless given (port 80 needs root). */
  at: { host: string; port: number } = { host: "127.0.0.1", port: 0 },
) {
  const open = new Set<net.Socket>();
  let down: CutMode | undefined;
  let connections = 0;

  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    connections += 1;
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, at.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(at.port);
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    /** Connections proxied so far. */
    get connections() {
      return connections;
    },
    async cut(mode: CutMode = "refuse") {
      down = mode;
      for (const s of open) s.destroy();
      open.clear();
      if (mode === "refuse") await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async restore() {
      if (down === "refuse") await listen(port);
      down = undefined;
    },
    async close() {
      down = "reset";
      for (const s of open) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A database URL with its host and port replaced by the proxy's. */
export function viaProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return u.toString();
}
