/**
 * Reference, not a ceiling of the issue: the least a change-phone pair must do, on a bare Fastify
 * route over a prepared better-sqlite3 database — what the V3 ceiling is to a read. Step 1
 * verifies the RS256 access token (the RSA check once per token, as Gatehouse does), reads the
 * user, checks and spends the old and the new number's codes (stored as HMACs) and stores a
 * one-time token's HMAC, in one transaction. Step 2 verifies the access token, spends the token,
 * checks the number is still free, changes it and writes the audit row, in one transaction, then
 * POSTs the two change notices (old number by SMS, email) to a webhook. It leaves out what
 * Gatehouse does on top — session check, phone parsing, input validation, rate limits, the
 * request log, metrics — so it is a lower bound of the pair's cost, not a competitor.
 *
 * POST /prepare {count} pre-issues the codes of `count` pairs (one code everywhere), like the
 * Gatehouse scenario pre-issues them, and answers the code, the access tokens and the pairs' numbers.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import { envelope, floorTokens, Refused } from "./floor-tokens.js";

const USERS = 1000;
const CODE = "123456";

const tokens = await floorTokens();
const webhook = new URL(process.env.WEBHOOK_URL!);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const db = new SQLite(process.env.DB_FILE!);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL"); // Gatehouse's default
db.exec(`
  CREATE TABLE users (id TEXT PRIMARY KEY, phone TEXT UNIQUE, email TEXT, updated_at INTEGER);
  CREATE TABLE codes (id INTEGER PRIMARY KEY, target TEXT, code_hash TEXT, used_at INTEGER);
  CREATE INDEX codes_target ON codes (target, used_at);
  CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, user_id TEXT, payload TEXT, used_at INTEGER);
  CREATE TABLE audit (id INTEGER PRIMARY KEY, user_id TEXT, action TEXT, old_value TEXT, new_value TEXT, at INTEGER);
`);
const phoneOf = (n: number) => `+86137${String(n).padStart(8, "0")}`;
const addUser = db.prepare("INSERT INTO users VALUES (?, ?, ?, 0)");
for (let i = 0; i < USERS; i++) addUser.run(`user-${i}`, phoneOf(i), `user-${i}@bench.test`);

const q = {
  user: db.prepare("SELECT * FROM users WHERE id = ?"),
  phones: db.prepare("SELECT id, phone FROM users ORDER BY id"),
  addCode: db.prepare("INSERT INTO codes (target, code_hash) VALUES (?, ?)"),
  code: db.prepare(
    "SELECT id, code_hash FROM codes WHERE target = ? AND used_at IS NULL ORDER BY id DESC LIMIT 1",
  ),
  spendCode: db.prepare("UPDATE codes SET used_at = ? WHERE id = ? AND used_at IS NULL"),
  taken: db.prepare("SELECT 1 FROM users WHERE phone = ?"),
  addToken: db.prepare("INSERT INTO tokens VALUES (?, ?, ?, NULL)"),
  spendToken: db.prepare(
    "UPDATE tokens SET used_at = ? WHERE token_hash = ? AND user_id = ? AND used_at IS NULL RETURNING payload",
  ),
  setPhone: db.prepare("UPDATE users SET phone = ?, updated_at = ? WHERE id = ? AND phone = ?"),
  audit: db.prepare("INSERT INTO audit (user_id, action, old_value, new_value, at) VALUES (?, ?, ?, ?, ?)"),
};
const hmac = (s: string) => createHmac("sha256", "bench-floor-secret").update(s).digest("hex");

function notify(body: Record<string, string>): void {
  const json = JSON.stringify(body);
  const req = http.request(webhook, {
    method: "POST",
    agent,
    headers: {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(json)),
      "x-signature": `sha256=${hmac(json)}`,
    },
  });
  req.on("response", (res) => res.resume());
  req.on("error", () => {});
  req.end(json);
}

const spendCode = (target: string, code: string, now: number) => {
  const row = q.code.get(target) as { id: number; code_hash: string } | undefined;
  const ok =
    row !== undefined &&
    timingSafeEqual(Buffer.from(row.code_hash), Buffer.from(hmac(`${target}:${code}`))) &&
    q.spendCode.run(now, row.id).changes === 1;
  if (!ok) throw new Refused("wrong code");
};

const step1 = db.transaction(
  (userId: string, from: string, to: string, oldCode: string, newCode: string, tokenHash: string) => {
    const now = Date.now();
    spendCode(from, oldCode, now);
    spendCode(to, newCode, now);
    if (q.taken.get(to)) throw new Refused("taken");
    q.addToken.run(tokenHash, userId, JSON.stringify({ oldPhone: from, newPhone: to }));
  },
);
const step2 = db.transaction((userId: string, tokenHash: string) => {
  const now = Date.now();
  const row = q.spendToken.get(now, tokenHash, userId) as { payload: string } | undefined;
  if (!row) throw new Refused("token");
  const { oldPhone, newPhone } = JSON.parse(row.payload) as Record<string, string>;
  if (q.taken.get(newPhone)) throw new Refused("taken");
  if (q.setPhone.run(newPhone, now, userId, oldPhone).changes !== 1) throw new Refused("changed");
  q.audit.run(userId, "user.phone.changed", oldPhone, newPhone, now);
  return { oldPhone, newPhone, email: (q.user.get(userId) as { email: string }).email };
});

let newPhones = USERS;
const app = Fastify();
app.get("/health", async () => ({ status: "ok" }));
app.post<{ Body: { count: number } }>("/prepare", async (request) => {
  const current = q.phones.all() as { id: string; phone: string }[];
  const accessTokens = await tokens.mint(current.map((u) => u.id));
  // Pair k belongs to user k mod U: from the user's number now, then from pair k - U's new one.
  const pairs: { user: number; from: string; to: string }[] = [];
  for (let k = 0; k < request.body.count; k++) {
    const to = phoneOf(newPhones++);
    const from = k < current.length ? current[k].phone : pairs[k - current.length].to;
    pairs.push({ user: k % current.length, from, to });
  }
  db.transaction(() => {
    for (const p of pairs) {
      q.addCode.run(p.from, hmac(`${p.from}:${CODE}`));
      q.addCode.run(p.to, hmac(`${p.to}:${CODE}`));
    }
  })();
  return { code: CODE, tokens: accessTokens, pairs };
});
app.post<{ Body: Record<string, string> }>("/step1", async (request) => {
  const userId = await tokens.caller(request.headers.authorization);
  const user = q.user.get(userId) as { phone: string };
  const b = request.body;
  if (user.phone !== b.oldPhone) throw new Refused("old phone");
  const token = randomBytes(32).toString("base64url");
  step1(userId, b.oldPhone, b.newPhone, b.oldCode, b.newCode, hmac(token));
  return envelope({ updatePhoneToken: token, tokenExpiresIn: 60 });
});
app.post<{ Body: Record<string, string> }>("/step2", async (request) => {
  const userId = await tokens.caller(request.headers.authorization);
  const changed = step2(userId, hmac(request.body.updatePhoneToken));
  const text = `Your phone number was changed to ${changed.newPhone}.`;
  notify({ kind: "sms", purpose: "phone_changed", to: changed.oldPhone, text });
  notify({
    kind: "email",
    purpose: "phone_changed",
    to: changed.email,
    subject: "Phone number changed",
    text,
  });
  return envelope({ success: true });
});
app.setErrorHandler((err, _request, reply) => {
  reply.send({ statusCode: 400, message: err instanceof Refused ? err.message : String(err), data: null });
});
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
