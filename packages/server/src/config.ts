import path from "node:path";

/**
 * The one configuration schema. Every option has an environment variable, a default and a
 * doc line; `loadConfig` validates all of them at boot and names the option that is wrong, and
 * refuses a `GATEHOUSE_*` variable it does not know (a misspelt option would otherwise be
 * silently ignored). The README's configuration table is generated from `configGroups`
 * (`npm run docs`).
 */
export class ConfigError extends Error {}

type Parser<T> = (raw: string, name: string) => T;
/** Options resolved before this one (computed defaults read them). */
type Earlier = { dataDir?: string; port?: number };

interface Option<T> {
  env: readonly string[];
  doc: string;
  default: T | ((earlier: Earlier) => T);
  /** How the default reads in the docs when it is computed. */
  defaultDoc?: string;
  parse: Parser<T>;
}

const str: Parser<string> = (raw) => raw;
const optionalStr: Parser<string | undefined> = (raw) => (raw === "" ? undefined : raw);

function int(min: number, max: number): Parser<number> {
  return (raw, name) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

function oneOf<const T extends string>(...values: T[]): Parser<T> {
  return (raw, name) => {
    if (!(values as string[]).includes(raw)) {
      throw new ConfigError(`${name} must be one of ${values.join(", ")}, got "${raw}"`);
    }
    return raw as T;
  };
}

function url(protocols: string[]): Parser<string> {
  return (raw, name) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new ConfigError(`${name} must be a URL, got "${raw}"`);
    }
    if (!protocols.includes(u.protocol)) {
      throw new ConfigError(`${name} must use ${protocols.join(" or ")}, got "${u.protocol}"`);
    }
    return raw.replace(/\/+$/, "");
  };
}
const optionalUrl = (protocols: string[]): Parser<string | undefined> => {
  const p = url(protocols);
  return (raw, name) => (raw === "" ? undefined : p(raw, name));
};

const bool: Parser<boolean> = (raw, name) => {
  if (["1", "true", "yes", "on"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
};

/**
 * Comma-separated exact origins (`https://admin.example`). No `*`: these origins get credentialed
 * CORS on every endpoint that names no application, the management API and /oidc among them.
 */
const originList: Parser<string[]> = (raw, name) => {
  const out: string[] = [];
  for (const item of raw.split(",").map((s) => s.trim())) {
    if (item === "") continue;
    let u: URL | undefined;
    try {
      u = new URL(item);
    } catch {
      u = undefined;
    }
    if (
      !u ||
      !["http:", "https:"].includes(u.protocol) ||
      u.origin !== item.replace(/\/$/, "").toLowerCase()
    ) {
      throw new ConfigError(
        `${name} must list origins such as https://admin.example (scheme, host, optional port; no path, no *), got "${item}"`,
      );
    }
    out.push(u.origin);
  }
  return out;
};

const databaseUrl: Parser<string> = (raw, name) => {
  if (/^postgres(ql)?:\/\//.test(raw) || raw.startsWith("sqlite:") || raw === ":memory:") return raw;
  throw new ConfigError(`${name} must be a postgres:// URL or sqlite:<path>, got "${raw}"`);
};

const secret: Parser<string | undefined> = (raw, name) => {
  if (raw === "") return undefined;
  if (raw.length < 32) throw new ConfigError(`${name} must be at least 32 characters`);
  return raw;
};

function opt<T>(o: Option<T>): Option<T> {
  return o;
}

// The schema is grouped by capability; the README's table follows the same groups. A group's
// options resolve in order, and the groups in the order of `configGroups`: a computed default
// may read only options resolved before it (`Earlier`).
const server = {
  port: opt({
    env: ["GATEHOUSE_PORT", "PORT"],
    doc: "TCP port to listen on",
    default: 3000,
    parse: int(0, 65535),
  }),
  host: opt({
    env: ["GATEHOUSE_HOST"],
    doc: "Listen address (use 127.0.0.1 to accept local connections only)",
    default: "0.0.0.0",
    parse: str,
  }),
  publicUrl: opt({
    env: ["GATEHOUSE_PUBLIC_URL"],
    doc: "Externally visible base URL; tokens are issued by `<public url>/oidc`. GenAuth's browser SDK (`@authing/web`) takes a domain without a port: serve Gatehouse on 80/443 (e.g. behind a reverse proxy) and set this to that URL (docs/oidc-provider.md)",
    default: (c: Earlier) => `http://localhost:${c.port ?? 3000}`,
    defaultDoc: "http://localhost:<port>",
    parse: url(["http:", "https:"]),
  }),
  trustProxy: opt({
    env: ["GATEHOUSE_TRUST_PROXY"],
    doc: "Trust X-Forwarded-* headers (set when running behind a reverse proxy)",
    default: false,
    parse: bool,
  }),
  corsOrigins: opt<string[]>({
    env: ["GATEHOUSE_CORS_ORIGINS"],
    doc: "Browser origins allowed, with credentials, on requests that name no application (no `x-authing-app-id`: the management API, /oidc), comma-separated; requests naming an application follow its pool's `allowedOrigins`",
    default: [],
    defaultDoc: "none",
    parse: originList,
  }),
  bodyLimit: opt({
    env: ["GATEHOUSE_BODY_LIMIT"],
    doc: "Largest accepted request body, in bytes",
    default: 102400,
    parse: int(1024, 10 * 1024 * 1024),
  }),
};

const storage = {
  dataDir: opt({
    env: ["GATEHOUSE_DATA_DIR"],
    doc: "Directory for the embedded database and bootstrap.json",
    default: "./data",
    parse: str,
  }),
  databaseUrl: opt({
    env: ["GATEHOUSE_DATABASE_URL"],
    doc: "Database: `sqlite:<path>` (embedded) or a `postgres://` URL",
    default: (c: Earlier) => `sqlite:${path.join(c.dataDir ?? "./data", "gatehouse.db")}`,
    defaultDoc: "sqlite:<data dir>/gatehouse.db",
    parse: databaseUrl,
  }),
  sqliteSynchronous: opt({
    env: ["GATEHOUSE_SQLITE_SYNCHRONOUS"],
    doc: "SQLite durability: `normal` (WAL; a power cut can lose the last commits, a crash cannot) or `full` (fsync per commit, far slower writes)",
    default: "normal" as "normal" | "full",
    parse: oneOf("normal", "full"),
  }),
  pgPreparedStatements: opt({
    env: ["GATEHOUSE_PG_PREPARED_STATEMENTS"],
    doc: "PostgreSQL: run the hot queries as named prepared statements (`false` behind a pooler that cannot keep them, such as PgBouncer in transaction mode before 1.21)",
    default: true,
    parse: bool,
  }),
  pgStatementTimeoutMs: opt({
    env: ["GATEHOUSE_PG_STATEMENT_TIMEOUT_MS"],
    doc: "PostgreSQL: a statement running (or waiting for a lock) longer than this is cancelled and its request answers 503; 0 for no limit. Migrations have none",
    default: 30_000,
    parse: int(0, 3_600_000),
  }),
  redisUrl: opt<string | undefined>({
    env: ["GATEHOUSE_REDIS_URL"],
    doc: "When set, the shared counters (code cooldowns and caps, sign-in lockouts), the management nonce cache and session-end broadcasts use Redis; codes and one-time tokens stay in the database (consumed in the same transaction as the change they allow)",
    default: undefined,
    parse: optionalUrl(["redis:", "rediss:"]),
  }),
  redisKeyPrefix: opt({
    env: ["GATEHOUSE_REDIS_KEY_PREFIX"],
    doc: "Prefix of every Redis key, so several deployments (or test runs) can share one Redis",
    default: "gatehouse:",
    parse: str,
  }),
};

const security = {
  idpAllowHttp: opt({
    env: ["GATEHOUSE_IDP_ALLOW_HTTP"],
    doc: "Let identity-provider connections use plain-http issuers and endpoints (development only; docs/social-sign-in.md)",
    default: false,
    parse: bool,
  }),
  secret: opt<string | undefined>({
    env: ["GATEHOUSE_SECRET"],
    doc: "Master key (≥ 32 chars): keys the hashes of codes and tokens and seals the secrets stored in the database; the same on every node. When unset, generated at first start into `master.key` in the data dir (docs/security.md)",
    default: undefined,
    defaultDoc: "<data dir>/master.key",
    parse: secret,
  }),
  browserSessionTtl: opt({
    env: ["GATEHOUSE_BROWSER_SESSION_TTL"],
    doc: "Seconds a browser stays signed in to the OpenID Provider (single sign-on) after signing in on its pages",
    default: 14 * 86400,
    parse: int(60, 365 * 86400),
  }),
  browserSessionCrossSite: opt({
    env: ["GATEHOUSE_BROWSER_SESSION_CROSS_SITE"],
    doc: "Send the browser session cookie as `SameSite=None; Secure`, so that silent renewal in an application's hidden iframe works when the application is on another site (needs an https public URL; docs/oidc-provider.md)",
    default: false,
    parse: bool,
  }),
  webauthnRpId: opt<string | undefined>({
    env: ["GATEHOUSE_WEBAUTHN_RP_ID"],
    doc: "Passkeys' relying-party id: the public URL's host, or a parent domain of it so that passkeys also work on the applications' sibling hosts (docs/passkeys.md)",
    default: undefined,
    defaultDoc: "the public URL's host",
    parse: optionalStr,
  }),
  webauthnOrigins: opt<string[]>({
    env: ["GATEHOUSE_WEBAUTHN_ORIGINS"],
    doc: "Browser origins whose passkey responses are accepted besides the public URL's own, comma-separated (pages of applications that call the WebAuthn endpoints themselves)",
    default: [],
    defaultDoc: "the public URL's origin only",
    parse: originList,
  }),
};

const messaging = {
  smsSender: opt({
    env: ["GATEHOUSE_SMS_SENDER"],
    doc: "How SMS are delivered: `log` (development: prints codes), `memory` (tests), `webhook`",
    default: "log" as "log" | "memory" | "webhook",
    parse: oneOf("log", "memory", "webhook"),
  }),
  emailSender: opt({
    env: ["GATEHOUSE_EMAIL_SENDER"],
    doc: "How email is delivered: `log`, `memory`, `webhook` or `smtp`",
    default: "log" as "log" | "memory" | "webhook" | "smtp",
    parse: oneOf("log", "memory", "webhook", "smtp"),
  }),
  smsWebhookUrl: opt<string | undefined>({
    env: ["GATEHOUSE_SMS_WEBHOOK_URL"],
    doc: "URL the `webhook` SMS sender POSTs to",
    default: undefined,
    parse: optionalUrl(["http:", "https:"]),
  }),
  emailWebhookUrl: opt<string | undefined>({
    env: ["GATEHOUSE_EMAIL_WEBHOOK_URL"],
    doc: "URL the `webhook` email sender POSTs to",
    default: undefined,
    parse: optionalUrl(["http:", "https:"]),
  }),
  webhookSecret: opt<string | undefined>({
    env: ["GATEHOUSE_WEBHOOK_SECRET"],
    doc: "When set, webhook bodies are signed: `x-gatehouse-signature: sha256=<hex HMAC>`",
    default: undefined,
    parse: optionalStr,
  }),
  smtpUrl: opt<string | undefined>({
    env: ["GATEHOUSE_SMTP_URL"],
    doc: "SMTP server for the `smtp` email sender, e.g. smtp://user:pass@host:587",
    default: undefined,
    parse: optionalUrl(["smtp:", "smtps:"]),
  }),
  emailFrom: opt({
    env: ["GATEHOUSE_EMAIL_FROM"],
    doc: "From address of outgoing email",
    default: "Gatehouse <no-reply@localhost>",
    parse: str,
  }),
  messageBacklog: opt({
    env: ["GATEHOUSE_MESSAGE_BACKLOG"],
    doc: "Most SMS and emails in delivery at once; past it code sends answer 503 (a gateway that is not keeping up)",
    default: 1000,
    parse: int(1, 1_000_000),
  }),
};

const codes = {
  codeTargetHourlyLimit: opt({
    env: ["GATEHOUSE_CODE_TARGET_HOURLY_LIMIT"],
    doc: "Most codes sent to one phone or email per hour (server-wide default; pools may override)",
    default: 10,
    parse: int(1, 1_000_000_000),
  }),
  codeIpHourlyLimit: opt({
    env: ["GATEHOUSE_CODE_IP_HOURLY_LIMIT"],
    doc: "Most codes requested from one client IP (an IPv6 /64) per hour (server-wide default; pools may override)",
    default: 30,
    parse: int(1, 1_000_000_000),
  }),
  smsPoolHourlyLimit: opt({
    env: ["GATEHOUSE_SMS_POOL_HOURLY_LIMIT"],
    doc: "Most SMS codes one user pool sends per hour, all numbers and IPs together (server-wide default; pools may override)",
    default: 300,
    parse: int(1, 1_000_000_000),
  }),
  emailPoolHourlyLimit: opt({
    env: ["GATEHOUSE_EMAIL_POOL_HOURLY_LIMIT"],
    doc: "Most email codes one user pool sends per hour (server-wide default; pools may override)",
    default: 1000,
    parse: int(1, 1_000_000_000),
  }),
};

const signUp = {
  signUpIpHourlyLimit: opt({
    env: ["GATEHOUSE_SIGNUP_IP_HOURLY_LIMIT"],
    doc: "Most accounts one client IP (an IPv6 /64) may create in a user pool per hour, by sign-up or sign-in's autoRegister (server-wide default; pools may override)",
    default: 10,
    parse: int(1, 1_000_000_000),
  }),
  signUpPoolHourlyLimit: opt({
    env: ["GATEHOUSE_SIGNUP_POOL_HOURLY_LIMIT"],
    doc: "Most accounts created by self sign-up in one user pool per hour, all IPs together (server-wide default; pools may override)",
    default: 1000,
    parse: int(1, 1_000_000_000),
  }),
};

const events = {
  webhookAllowPrivate: opt({
    env: ["GATEHOUSE_WEBHOOK_ALLOW_PRIVATE"],
    doc: "Let webhooks call loopback and private addresses (off: webhook URLs are an SSRF door; docs/events.md)",
    default: false,
    parse: bool,
  }),
  webhookTimeoutMs: opt({
    env: ["GATEHOUSE_WEBHOOK_TIMEOUT_MS"],
    doc: "How long one webhook attempt may take, connect to last byte (ms)",
    default: 10_000,
    parse: int(100, 120_000),
  }),
  webhookPollMs: opt({
    env: ["GATEHOUSE_WEBHOOK_POLL_MS"],
    doc: "How often each node looks for events to fan out and deliveries due (ms); a node also looks right after it writes an event",
    default: 250,
    parse: int(10, 60_000),
  }),
  webhookConcurrency: opt({
    env: ["GATEHOUSE_WEBHOOK_CONCURRENCY"],
    doc: "Webhooks one node sends to at once (each webhook's deliveries go out in event order, a few at a time)",
    default: 32,
    parse: int(1, 1000),
  }),
};

/** Where `/metrics` is served (docs/operations.md#metrics). */
export type MetricsExposure = { mode: "off" } | { mode: "public" } | { mode: "port"; port: number };

const metricsExposure: Parser<MetricsExposure> = (raw, name) => {
  if (raw === "off" || raw === "public") return { mode: raw };
  const m = /^port:(\d{1,5})$/.exec(raw);
  if (m) return { mode: "port", port: int(0, 65535)(m[1] as string, name) };
  throw new ConfigError(`${name} must be off, public or port:<n>, got "${raw}"`);
};

const logging = {
  metrics: opt<MetricsExposure>({
    env: ["GATEHOUSE_METRICS"],
    doc: "Prometheus metrics: `off`, `public` (`/metrics` on the main port, readable by anyone who reaches it) or `port:<n>` (a second listener on the same listen address, for a scraper on a private network). `/health` and `/ready` stay on the main port either way",
    default: { mode: "off" },
    defaultDoc: "off",
    parse: metricsExposure,
  }),
  logLevel: opt({
    env: ["GATEHOUSE_LOG_LEVEL", "LOG_LEVEL"],
    doc: "Log level",
    default: "info" as "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent",
    parse: oneOf("fatal", "error", "warn", "info", "debug", "trace", "silent"),
  }),
};

export const configGroups = [
  { title: "Server and HTTP", options: server },
  { title: "Storage", options: storage },
  { title: "Security and secrets", options: security },
  { title: "Messaging (SMS and email)", options: messaging },
  { title: "Verification codes", options: codes },
  { title: "Sign-up", options: signUp },
  { title: "Events and webhooks", options: events },
  { title: "Logging and metrics", options: logging },
] as const;

export const configOptions = {
  ...server,
  ...storage,
  ...security,
  ...messaging,
  ...codes,
  ...signUp,
  ...events,
  ...logging,
};
type Options = typeof configOptions;
export type Config = { [K in keyof Options]: Options[K] extends Option<infer T> ? T : never };

/**
 * `GATEHOUSE_*` variables that are not server options: the repository's tests, bench and soak
 * read them, and the servers and CLI commands those start inherit their environment.
 */
export const toolingVariables: readonly string[] = [
  "GATEHOUSE_TEST_PG_URL",
  "GATEHOUSE_TEST_REDIS_URL",
  "GATEHOUSE_TEST_DIALECTS",
  "GATEHOUSE_BENCH_PG_URL",
  "GATEHOUSE_CRASH_ROUNDS",
  "GATEHOUSE_FUZZ_SCALE",
  "GATEHOUSE_FUZZ_SEED",
  "GATEHOUSE_FUZZ_STATS",
  "GATEHOUSE_SOAK_SECONDS",
  "GATEHOUSE_SOAK_TARGETS",
  "GATEHOUSE_SOAK_REDIS",
];

const PREFIX = "GATEHOUSE_";
const optionVariables = (Object.values(configOptions) as Option<unknown>[]).flatMap((o) => o.env);
const knownVariables = new Set([...optionVariables, ...toolingVariables]);

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbours each cost 1. Written here rather than taken from a package: a dozen lines, used
 * for one error message at boot.
 */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known `GATEHOUSE_*` name closest to `name` (first in schema order on a tie). */
function closestVariable(name: string): string {
  let best = "";
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const known of knownVariables) {
    if (!known.startsWith(PREFIX)) continue;
    const distance = editDistance(name, known);
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return best;
}

function assertKnownVariables(env: NodeJS.ProcessEnv): void {
  const unknown = Object.keys(env).filter((k) => k.startsWith(PREFIX) && !knownVariables.has(k));
  if (unknown.length === 0) return;
  throw new ConfigError(
    unknown
      .sort()
      .map((k) => `${k} is not a Gatehouse option; did you mean ${closestVariable(k)}?`)
      .join("\n"),
  );
}

/**
 * Build the config from an environment (process.env by default) plus explicit overrides. An
 * unknown `GATEHOUSE_*` variable is an error naming the closest known one.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  assertKnownVariables(env);
  const out: Partial<Config> = {};
  for (const [key, o] of Object.entries(configOptions) as [keyof Config, Option<unknown>][]) {
    if (key in overrides) {
      (out as Record<string, unknown>)[key] = overrides[key];
      continue;
    }
    const name = o.env.find((e) => env[e] !== undefined);
    const value =
      name !== undefined
        ? o.parse(env[name] as string, name)
        : typeof o.default === "function"
          ? (o.default as (c: Earlier) => unknown)(out)
          : o.default;
    (out as Record<string, unknown>)[key] = value;
  }
  const config = out as Config;
  if (config.browserSessionCrossSite && !config.publicUrl.startsWith("https:")) {
    throw new ConfigError(
      "GATEHOUSE_BROWSER_SESSION_CROSS_SITE needs an https GATEHOUSE_PUBLIC_URL: browsers refuse SameSite=None cookies that are not Secure",
    );
  }
  if (config.smsSender === "webhook" && !config.smsWebhookUrl) {
    throw new ConfigError("GATEHOUSE_SMS_WEBHOOK_URL is required when GATEHOUSE_SMS_SENDER=webhook");
  }
  if (config.emailSender === "webhook" && !config.emailWebhookUrl) {
    throw new ConfigError("GATEHOUSE_EMAIL_WEBHOOK_URL is required when GATEHOUSE_EMAIL_SENDER=webhook");
  }
  if (config.emailSender === "smtp" && !config.smtpUrl) {
    throw new ConfigError("GATEHOUSE_SMTP_URL is required when GATEHOUSE_EMAIL_SENDER=smtp");
  }
  return config;
}

/** Markdown tables of every option, one per group, for the README. */
export function configTable(): string {
  return configGroups
    .map(({ title, options }) => {
      const rows = (Object.values(options) as Option<unknown>[]).map((o) => {
        const def = o.defaultDoc ?? (o.default === undefined ? "—" : String(o.default));
        return `| ${o.env.map((e) => `\`${e}\``).join(", ")} | ${o.doc} | \`${def}\` |`;
      });
      return [`**${title}**`, "", "| Variable | Meaning | Default |", "|---|---|---|", ...rows].join("\n");
    })
    .join("\n\n");
}
