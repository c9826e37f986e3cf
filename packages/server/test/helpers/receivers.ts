import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  /** The raw body, byte for byte as sent. */
  body: string;
}

/**
 * A real HTTP server standing in for an SMS/email gateway webhook. `statuses` are answered in
 * turn (then 200); "hang" never answers (timeouts); "hold" answers 200 when `release()` is called.
 */
export async function startWebhookReceiver() {
  const received: ReceivedRequest[] = [];
  const statuses: (number | "hang" | "hold")[] = [];
  const waiters: (() => void)[] = [];
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      for (const w of waiters.splice(0)) w();
      const status = statuses.shift() ?? 200;
      if (status === "hang") return;
      if (status === "hold") return void held.push(res);
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "failed");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Answer the next requests with these statuses. */
    respondWith(...next: (number | "hang" | "hold")[]) {
      statuses.push(...next);
    },
    /** Answers 200 to every request held so far. */
    release() {
      for (const res of held.splice(0)) res.writeHead(200).end("ok");
    },
    /** Resolves once at least `n` requests arrived in total. */
    async waitFor(n: number): Promise<void> {
      while (received.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
}

/** A real SMTP server (the `smtp-server` package) that keeps every message it accepts. */
export async function startSmtpReceiver() {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const from = session.envelope.mailFrom;
        mails.push({
          from: from ? from.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
