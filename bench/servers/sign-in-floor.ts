/**
 * Reference, not a ceiling of the issue: the least a password sign-in must do, on a bare Fastify
 * route over a prepared better-sqlite3 database — what the pair floor is to the change-phone pair.
 * It reads the user by e-mail, verifies the argon2id hash (Gatehouse's parameters, at most two
 * at once as in Gatehouse), signs an access token and an ID token with RS256 (node:crypto,
 * synchronously, as Gatehouse does) and stores the session in a transaction, after the hash.
 * It leaves out what Gatehouse does on top — input validation, rate limits and the failed-login
 * guard, the login history and the user's login counters, the request log, metrics — so it is a
 * lower bound of a sign-in's cost, not a competitor.
 *
 * Users `user00000000@bench.test` … (the seeded users' e-mails), all with one password hash.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import { ARGON2_OPTIONS, BENCH_PASSWORD, seededUser } from "../gatehouse/seed.js";

const USERS = 1000;
const HASH_SLOTS = 2;

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const key = createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }));

const db = new SQLite(process.env.DB_FILE!);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL"); // Gatehouse's default
db.exec(`
  CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL, status TEXT NOT NULL);
  CREATE UNIQUE INDEX users_email ON users (lower(email));
  CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, scope TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
`);
const passwordHash = await hash(BENCH_PASSWORD, ARGON2_OPTIONS);
const addUser = db.prepare("INSERT INTO users VALUES (?, ?, ?, 'Activated')");
db.transaction(() => {
  for (let i = 0; i < USERS; i++) addUser.run(seededUser(i).id, seededUser(i).email, passwordHash);
})();

const q = {
  byEmail: db.prepare("SELECT * FROM users WHERE lower(email) = ?"),
  addSession: db.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)"),
};
const addSession = db.transaction((id: string, userId: string, scope: string, now: number) => {
  q.addSession.run(id, userId, scope, now, now + 1_209_600_000);
});

/** At most HASH_SLOTS hashes at once, like Gatehouse's `createSlots` (services/auth/passwords/hashing.ts). */
let free = HASH_SLOTS;
const waiting: (() => void)[] = [];
async function inSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (free > 0) free--;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else free++;
  }
}

const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString("base64url");
const header = b64({ alg: "RS256", typ: "JWT", kid: "floor" });
function jwt(claims: Record<string, unknown>): string {
  const input = `${header}.${b64(claims)}`;
  return `${input}.${sign("sha256", Buffer.from(input), key).toString("base64url")}`;
}

class Refused extends Error {}

const app = Fastify();
app.get("/health", async () => ({ status: "ok" }));
app.post<{ Body: { passwordPayload: { email: string; password: string }; options?: { scope?: string } } }>(
  "/api/v3/signin",
  async (request) => {
    const { email, password } = request.body.passwordPayload;
    const scope = request.body.options?.scope ?? "openid profile";
    const user = q.byEmail.get(email.toLowerCase()) as
      | { id: string; email: string; password_hash: string }
      | undefined;
    if (!user) throw new Refused("no such user");
    if (!(await inSlot(() => verify(user.password_hash, password)))) throw new Refused("wrong password");
    const now = Date.now();
    const sessionId = randomUUID();
    const iat = Math.floor(now / 1000);
    const common = { iss: "http://127.0.0.1", sub: user.id, aud: "floor-app", iat, exp: iat + 1_209_600 };
    const access_token = jwt({ ...common, jti: randomUUID(), sid: sessionId, scope });
    const id_token = jwt({ ...common, email: user.email, email_verified: false, sid: sessionId });
    addSession(sessionId, user.id, scope, now);
    return {
      statusCode: 200,
      message: "",
      apiCode: 0,
      data: { scope, access_token, id_token, token_type: "Bearer", expires_in: 1_209_600 },
    };
  },
);
app.setErrorHandler((err, _request, reply) => {
  reply.send({ statusCode: 400, message: err instanceof Refused ? err.message : String(err), data: null });
});
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
