import path from "node:path";

/**
 * The one configuration schema. Every option has an environment variable, a default and a
 * doc line; `loadConfig` validates all of them at boot and names the option that is wrong.
 * The README's configuration table is generated from `configOptions` (`npm run config-table`).
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

export const configOptions = {
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
  publicUrl: opt({
    env: ["GATEHOUSE_PUBLIC_URL"],
    doc: "Externally visible base URL; tokens are issued by `<public url>/oidc`",
    default: (c: Earlier) => `http://localhost:${c.port ?? 3000}`,
    defaultDoc: "http://localhost:<port>",
    parse: url(["http:", "https:"]),
  }),
  secret: opt<string | undefined>({
    env: ["GATEHOUSE_SECRET"],
    doc: "Server secret keying the hashes of codes and tokens (≥ 32 chars); generated and stored in the database when unset",
    default: undefined,
    defaultDoc: "generated at first start",
    parse: secret,
  }),
  logLevel: opt({
    env: ["GATEHOUSE_LOG_LEVEL", "LOG_LEVEL"],
    doc: "Log level",
    default: "info" as "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent",
    parse: oneOf("fatal", "error", "warn", "info", "debug", "trace", "silent"),
  }),
  bodyLimit: opt({
    env: ["GATEHOUSE_BODY_LIMIT"],
    doc: "Largest accepted request body, in bytes",
    default: 102400,
    parse: int(1024, 10 * 1024 * 1024),
  }),
  trustProxy: opt({
    env: ["GATEHOUSE_TRUST_PROXY"],
    doc: "Trust X-Forwarded-* headers (set when running behind a reverse proxy)",
    default: false,
    parse: bool,
  }),
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
  messageBacklog: opt({
    env: ["GATEHOUSE_MESSAGE_BACKLOG"],
    doc: "Most SMS and emails in delivery at once; past it code sends answer 503 (a gateway that is not keeping up)",
    default: 1000,
    parse: int(1, 1_000_000),
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
  codeTargetHourlyLimit: opt({
    env: ["GATEHOUSE_CODE_TARGET_HOURLY_LIMIT"],
    doc: "Most codes sent to one phone or email per hour (server-wide default; pools may override)",
    default: 10,
    parse: int(1, 1_000_000_000),
  }),
  codeIpHourlyLimit: opt({
    env: ["GATEHOUSE_CODE_IP_HOURLY_LIMIT"],
    doc: "Most codes requested from one client IP per hour (server-wide default; pools may override)",
    default: 30,
    parse: int(1, 1_000_000_000),
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

type Options = typeof configOptions;
export type Config = { [K in keyof Options]: Options[K] extends Option<infer T> ? T : never };

/** Build the config from an environment (process.env by default) plus explicit overrides. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
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

/** Markdown table of every option, for the README. */
export function configTable(): string {
  const rows = (Object.values(configOptions) as Option<unknown>[]).map((o) => {
    const def = o.defaultDoc ?? (o.default === undefined ? "—" : String(o.default));
    return `| ${o.env.map((e) => `\`${e}\``).join(", ")} | ${o.doc} | \`${def}\` |`;
  });
  return ["| Variable | Meaning | Default |", "|---|---|---|", ...rows].join("\n");
}
