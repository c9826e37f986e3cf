/**
 * Reference, not a ceiling of the issue: the least `mfa-totp-verify` must do, on a bare Fastify
 * route over a prepared better-sqlite3 database — what the V3 ceiling is to a read. It verifies
 * the RS256 access token (once per token, as Gatehouse does; the load sends each user's token
 * once per 30 s step, so the check runs on nearly every request in both), reads the user's factor,
 * opens its AES-256-GCM sealed secret, checks the code (SHA-1, 6 digits, one step either side)
 * and, in one transaction, claims the code's time step (accepted once), writes the login-history
 * row and the `mfa:verified` event row. It leaves out what Gatehouse does on top — session check,
 * the attempt counter, input validation, rate limits, the request log, metrics, the event's
 * delivery — so it is a lower bound of the line's cost, not a competitor.
 *
 * POST /prepare {count} adds `count` users with a factor and answers their secrets and tokens.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import { Secret, TOTP } from "otpauth";
import { envelope, floorTokens, Refused } from "./floor-tokens.js";

const PERIOD_S = 30;
const tokens = await floorTokens();
const sealKey = randomBytes(32);

const db = new SQLite(process.env.DB_FILE!);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL"); // Gatehouse's default
db.exec(`
  CREATE TABLE factors (id TEXT PRIMARY KEY, user_id TEXT UNIQUE, secret_sealed BLOB, last_step INTEGER);
  CREATE TABLE login_history (id INTEGER PRIMARY KEY, user_id TEXT, method TEXT, success INTEGER,
    ip TEXT, user_agent TEXT, at INTEGER);
  CREATE TABLE events (id INTEGER PRIMARY KEY, user_id TEXT, name TEXT, data TEXT, at INTEGER);
`);
const q = {
  addFactor: db.prepare("INSERT INTO factors VALUES (?, ?, ?, -1)"),
  factor: db.prepare("SELECT id, secret_sealed, last_step FROM factors WHERE user_id = ?"),
  claim: db.prepare("UPDATE factors SET last_step = ? WHERE id = ? AND last_step < ?"),
  history: db.prepare(
    "INSERT INTO login_history (user_id, method, success, ip, user_agent, at) VALUES (?, 'mfa:otp', 1, ?, ?, ?)",
  ),
  event: db.prepare("INSERT INTO events (user_id, name, data, at) VALUES (?, 'mfa:verified', ?, ?)"),
};

/** AES-256-GCM with the factor's id as associated data, as Gatehouse seals TOTP secrets. */
function seal(id: string, secret: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", sealKey, iv).setAAD(Buffer.from(id));
  const body = Buffer.concat([c.update(secret, "utf8"), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}
function open(id: string, sealed: Buffer): string {
  const d = createDecipheriv("aes-256-gcm", sealKey, sealed.subarray(0, 12)).setAAD(Buffer.from(id));
  d.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString("utf8");
}

const accept = db.transaction((userId: string, factorId: string, step: number, ip: string, ua: string) => {
  const now = Date.now();
  if (q.claim.run(step, factorId, step).changes !== 1) return false;
  q.history.run(userId, ip, ua, now);
  q.event.run(userId, JSON.stringify({ userId, factorType: "OTP" }), now);
  return true;
});

const app = Fastify();
app.get("/health", async () => ({ status: "ok" }));
app.post<{ Body: { count: number } }>("/prepare", async (request) => {
  const users = Array.from({ length: request.body.count }, () => ({
    id: randomUUID(),
    secret: new Secret({ size: 20 }).base32,
  }));
  db.transaction(() => {
    for (const u of users) {
      const factorId = randomUUID();
      q.addFactor.run(factorId, u.id, seal(factorId, u.secret));
    }
  })();
  const accessTokens = await tokens.mint(users.map((u) => u.id));
  return { users: users.map((u, k) => ({ secret: u.secret, token: accessTokens[k] })) };
});
app.post<{ Body: { totp: string } }>("/api/v3/mfa-totp-verify", async (request) => {
  const userId = await tokens.caller(request.headers.authorization);
  const row = q.factor.get(userId) as { id: string; secret_sealed: Buffer; last_step: number } | undefined;
  if (!row) throw new Refused("not enrolled");
  const now = Date.now();
  const delta = TOTP.validate({
    token: String(request.body.totp),
    secret: Secret.fromBase32(open(row.id, row.secret_sealed)),
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD_S,
    timestamp: now,
    window: 1,
  });
  const step = delta === null ? undefined : Math.floor(now / 1000 / PERIOD_S) + delta;
  const ok =
    step !== undefined &&
    step > row.last_step &&
    accept(userId, row.id, step, request.ip, request.headers["user-agent"] ?? "");
  return envelope({ verified: ok });
});
app.setErrorHandler((err, _request, reply) => {
  reply.send({ statusCode: 400, message: err instanceof Refused ? err.message : String(err), data: null });
});
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
