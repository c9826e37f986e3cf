import { OIDC_ISSUER_PATH } from "@gatehouse/protocol";
import pino, { type Logger } from "pino";
import type { Config } from "./config.js";
import { logSerializers } from "./http/request-log.js";
import { type Clock, systemClock } from "./lib/clock.js";
import { Courier, createSenders, Outbox } from "./messaging/index.js";
import { createNotifier, type Notifier } from "./messaging/notifications.js";
import { type Account, createAccount } from "./services/account/index.js";
import { type Admin, createAdmin } from "./services/admin/index.js";
import { databaseNonceStore, type NonceStore } from "./services/admin/nonce-store.js";
import { type Auth, createAuth } from "./services/auth/index.js";
import { createLoginGuard, dbLoginCounterStore, type LoginGuard } from "./services/auth/lockout.js";
import { createLoginHistory } from "./services/auth/login-history.js";
import { createPasswords, type Passwords, type PasswordsDeps } from "./services/auth/passwords/hashing.js";
import { createSignUpLimits } from "./services/auth/sign-up-limits.js";
import { type Authz, createAuthz } from "./services/authz/index.js";
import { type CounterStore, dbCounterStore } from "./services/codes/counter-store.js";
import type { CodeService } from "./services/codes/engine.js";
import { createCodeService } from "./services/codes/engine.js";
import { createFlowTokens } from "./services/codes/flow-tokens.js";
import { type CodeRequests, createCodeRequests } from "./services/codes/requests.js";
import { createDevices, type Devices } from "./services/devices/index.js";
import { auditWithEvents } from "./services/events/audit-events.js";
import { createEmitter } from "./services/events/emit.js";
import { createEvents, type Events } from "./services/events/index.js";
import { nudgeAfterCommit } from "./services/events/nudge.js";
import { decodeStreamed, encodeStreamed } from "./services/events/stream.js";
import { createIdentities, type Identities } from "./services/identities/index.js";
import { createMfa, createMfaAttempts, type Mfa } from "./services/mfa/index.js";
import { createOidc, type Oidc } from "./services/oidc/index.js";
import { createPasskeys, type Passkeys, relyingParty } from "./services/passkeys/index.js";
import { createProfile, type ProfileService } from "./services/profile/index.js";
import { createClientTokens } from "./services/tokens/client-tokens.js";
import type { GenerateRsaKeyPair } from "./services/tokens/rsa-key-pair.js";
import { loadServerKeys, type ServerKeys } from "./services/tokens/server-keys.js";
import { createSessions, type Sessions } from "./services/tokens/sessions.js";
import { createSigningKeys, type SigningKeys } from "./services/tokens/signing-keys.js";
import { createTokens, type Tokens } from "./services/tokens/tokens.js";
import { createAudit } from "./services/users/audit.js";
import { poolUserDefaults } from "./services/users/dto.js";
import { type Db, type OpenDbOptions, openDb } from "./storage/db.js";
import { type MigrationLog, migrateToLatest } from "./storage/migrate.js";
import { authzBroadcast } from "./storage/redis/authz-broadcast.js";
import { openRedis, type Redis } from "./storage/redis/client.js";
import { redisCounterStore, redisLoginCounterStore } from "./storage/redis/counter-store.js";
import { type EventBroadcast, eventBroadcast } from "./storage/redis/event-broadcast.js";
import type { IdBroadcast } from "./storage/redis/id-broadcast.js";
import { redisNonceStore } from "./storage/redis/nonce-store.js";
import { type SessionBroadcast, sessionBroadcast } from "./storage/redis/session-broadcast.js";
import { type Repositories, repositories } from "./storage/repos/index.js";

export interface Context {
  config: Config;
  db: Db;
  /** Set when GATEHOUSE_REDIS_URL is: code limits, lockouts and the management nonce cache live there. */
  redis?: Redis;
  /** Cooldowns and caps (Redis when configured, else the database). */
  counters: CounterStore;
  repos: Repositories;
  keys: ServerKeys;
  clock: Clock;
  logger: Logger;
  /** Replay cache of signed management requests (Redis when configured, else the database). */
  nonces: NonceStore;
  /** The verification-code engine (services/codes/engine.ts). */
  codes: CodeService;
  /** Codes an application asks for: send-sms, send-email, pre-check-code (services/codes/requests.ts). */
  codeRequests: CodeRequests;
  /** Account-change notifications, no code, no link (messaging/notifications.ts). */
  notifier: Notifier;
  /** Messages the `memory` senders delivered (tests read codes here); empty with other senders. */
  outbox: Outbox;
  /** Background delivery of messages; `courier.idle()` waits for those in flight. */
  courier: Courier;
  /** Password hashing, RSA decryption, pool password policy (services/auth/passwords/hashing.ts). */
  passwords: Passwords;
  /** RS256 token-signing keys shared through the database (services/tokens/signing-keys.ts). */
  signingKeys: SigningKeys;
  /** One session per login; a SessionService (services/tokens/sessions.ts). */
  sessions: Sessions;
  /** Issues, refreshes, checks, introspects and revokes tokens (services/tokens/tokens.ts). */
  tokens: Tokens;
  /** Sign-in lockout per account and per IP (services/auth/lockout.ts). */
  loginGuard: LoginGuard;
  /** Sign-up, sign-in, the app scope of a request, client authentication, my login history (services/auth). */
  auth: Auth;
  /** UserInfo, logout, browser sessions and interactions of the OpenID Provider (services/oidc). */
  oidc: Oidc;
  /** The user-information module: profile, bind/unbind, change phone/email, passwords, delete (services/profile). */
  profile: ProfileService;
  /** Multi-factor authentication: factors, verification, MFA tokens (services/mfa). */
  mfa: Mfa;
  /** The hosted account page's own needs: sessions and devices, re-authentication (services/account). */
  account: Account;
  /** Passkeys: registration, sign-in, the user's list (services/passkeys, docs/passkeys.md). */
  passkeys: Passkeys;
  /** My devices: sessions by user agent, signed out one device at a time (services/devices). */
  devices: Devices;
  /** The management API's and the admin commands' services: users, apps, pools, keys (services/admin). */
  admin: Admin;
  /** Roles, groups, resources, permission checks (services/authz, docs/authorization.md). */
  authz: Authz;
  /** The outbox, webhooks and the live event stream (services/events). */
  events: Events;
  /** External identity providers: connections, the upstream round trip, identities (services/identities). */
  identities: Identities;
  close(): Promise<void>;
}

export interface ContextOptions {
  clock?: Clock;
  logger?: Logger;
  /** Run migrations while building (default true). */
  migrate?: boolean;
  /** How long this node trusts a cached session state (default 900 ms; see services/tokens/sessions.ts). */
  sessionCacheTtlMs?: number;
  /**
   * How long this node trusts a user's cached grants (default: 900 ms on PostgreSQL, 60 s on SQLite,
   * whose one node sees every write; docs/authorization.md §Cache).
   */
  authzCacheTtlMs?: number;
  /** The argon2 functions (default @node-rs/argon2); tests pass counting wrappers. */
  argon2?: PasswordsDeps["argon2"];
  /** The cost of new password hashes (default OWASP); tests lower it (services/auth/passwords/hashing.ts). */
  argon2Params?: PasswordsDeps["argon2Params"];
  /** Makes the RSA key pairs a new database needs (default: random); tests hand out pairs made beforehand. */
  generateRsaKeyPair?: GenerateRsaKeyPair;
}

/**
 * Logs to stdout without a write(2) on the event loop per line: lines are written by the thread
 * pool, and those that arrive while a write is under way go out together with the next one.
 * Nothing waits for a quiet moment (minLength 0), and pino writes what is pending on exit.
 */
export function createLogger(config: Config): Logger {
  return pino(
    { level: config.logLevel, serializers: logSerializers },
    pino.destination({ dest: 1, sync: false }),
  );
}

/**
 * A migration may build an index over every user, or wait for another node's migration: on
 * PostgreSQL it runs on connections of its own, without the statement timeout.
 */
async function migrate(config: Config, db: Db, options: OpenDbOptions, logger: Logger): Promise<void> {
  const log: MigrationLog = {
    identifierKeyCollision: (collision) =>
      logger.warn(
        { ...collision, event: "identifier-key-collision" },
        "migration: this user's username or email is another user's too; it keeps the value but cannot sign in by it until renamed",
      ),
  };
  if (db.dialect !== "postgres" || !config.pgStatementTimeoutMs) {
    await migrateToLatest(db, log);
    return;
  }
  const unbounded = openDb(config.databaseUrl, options);
  try {
    await migrateToLatest(unbounded, log);
  } finally {
    await unbounded.close();
  }
}

/** Wires everything once (docs/architecture.md, habit 5). Tests build their own with a memory outbox and a fake clock. */
export async function createContext(config: Config, options: ContextOptions = {}): Promise<Context> {
  const dbOptions = {
    sqliteSynchronous: config.sqliteSynchronous,
    pgPreparedStatements: config.pgPreparedStatements,
  };
  const db = openDb(config.databaseUrl, { ...dbOptions, pgStatementTimeoutMs: config.pgStatementTimeoutMs });
  let redis: Redis | undefined;
  let broadcast: SessionBroadcast | undefined;
  let authzChanges: IdBroadcast | undefined;
  let eventsNudge = () => {};
  let eventsBroadcast: EventBroadcast | undefined;
  try {
    const logger = options.logger ?? createLogger(config);
    if (options.migrate !== false) await migrate(config, db, dbOptions, logger);
    const repos = repositories(db.kysely);
    const keys = await loadServerKeys(repos, {
      configuredSecret: config.secret,
      dataDir: config.dataDir,
      generateRsaKeyPair: options.generateRsaKeyPair,
    });
    const clock = options.clock ?? systemClock;
    const emit = createEmitter({ clock, onEmitted: () => eventsNudge() });
    if (config.redisUrl) redis = await openRedis(config.redisUrl, config.redisKeyPrefix);
    const counters = redis ? redisCounterStore(redis) : dbCounterStore(repos);
    const outbox = new Outbox();
    const courier = new Courier(createSenders(config, logger, outbox), logger, config.messageBacklog);
    const codes = createCodeService({
      db: db.kysely,
      repos,
      counters,
      courier,
      clock,
      secret: keys.secret,
      config,
    });
    const signingKeys = createSigningKeys({
      db: db.kysely,
      clock,
      box: keys.box,
      generateRsaKeyPair: options.generateRsaKeyPair,
    });
    await signingKeys.init();
    const sessions = createSessions({
      repos,
      clock,
      cacheTtlMs: options.sessionCacheTtlMs,
      onChanged: (ids) => broadcast?.publish(ids),
    });
    if (redis) {
      broadcast = await sessionBroadcast(
        redis,
        config.redisKeyPrefix,
        (ids) => sessions.forgetCached(ids),
        logger,
      );
    }
    const authz = createAuthz(
      { db: db.kysely, repos, clock, publicUrl: config.publicUrl, emit },
      {
        cacheTtlMs: options.authzCacheTtlMs ?? (db.dialect === "sqlite" ? 60_000 : 900),
        onChanged: (poolId) => authzChanges?.publish([poolId]),
      },
    );
    if (redis) {
      authzChanges = await authzBroadcast(
        redis,
        config.redisKeyPrefix,
        (poolIds) => {
          for (const id of poolIds) authz.forgetCached(id);
        },
        logger,
      );
    }
    const passwords = createPasswords({
      rsaPrivateKeyPem: keys.rsaPrivateKeyPem,
      argon2: options.argon2,
      argon2Params: options.argon2Params,
    });
    const notifier = createNotifier({ courier, clock });
    const loginGuard = createLoginGuard({
      store: redis ? redisLoginCounterStore(redis) : dbLoginCounterStore(repos),
      clock,
    });
    const issuer = `${config.publicUrl}${OIDC_ISSUER_PATH}`;
    const userDefaults = poolUserDefaults(repos, config.publicUrl);
    const tokens = createTokens({
      db: db.kysely,
      repos,
      signingKeys,
      sessions,
      clock,
      secret: keys.secret,
      box: keys.box,
      issuer,
      roleCodes: authz.my.roleCodes,
      userDefaults,
      emit,
      signOffThread: () => passwords.hashing() === 0,
    });
    const mfa = createMfa({
      db: db.kysely,
      repos,
      codes,
      flowTokens: createFlowTokens({ secret: keys.secret, clock }),
      attempts: createMfaAttempts({
        store: redis ? redisLoginCounterStore(redis) : dbLoginCounterStore(repos),
        clock,
      }),
      loginHistory: createLoginHistory({ repos, clock }),
      box: keys.box,
      secret: keys.secret,
      clock,
      emit,
    });
    const signUpLimits = createSignUpLimits({ counters, clock, config });
    const audit = auditWithEvents(createAudit({ clock }), emit);
    const auth = createAuth({
      db: db.kysely,
      repos,
      passwords,
      codes,
      tokens,
      sessions,
      audit,
      emit,
      loginGuard,
      signUpLimits,
      clock,
      box: keys.box,
      publicUrl: config.publicUrl,
      mayUseApp: authz.appAccess.mayUseApp,
      mfa,
      secret: keys.secret,
    });
    const profile = createProfile({
      db: db.kysely,
      repos,
      codes,
      passwords,
      sessions,
      notifier,
      loginGuard,
      flowTokens: createFlowTokens({ secret: keys.secret, clock }),
      audit,
      clock,
      logger,
      publicUrl: config.publicUrl,
    });
    const admin = createAdmin({
      db: db.kysely,
      dialect: db.dialect,
      repos,
      clock,
      passwords,
      sessions,
      loginGuard,
      signingKeys,
      serverSecret: keys.secret,
      box: keys.box,
      publicUrl: config.publicUrl,
      issuer,
      emit,
    });
    const clientTokens = createClientTokens({
      repos,
      signingKeys,
      clock,
      issuer,
      keyEnabled: async (id) => (await admin.accessKeys.resolve(id)) !== undefined,
      cacheTtlMs: options.sessionCacheTtlMs,
    });
    const events = createEvents({
      db: db.kysely,
      dialect: db.dialect,
      repos,
      clock,
      box: keys.box,
      logger,
      emit,
      config,
      broadcast: (e) =>
        eventsBroadcast ? eventsBroadcast.publish(encodeStreamed(e)) : events.stream.deliver(e),
    });
    if (redis) {
      eventsBroadcast = await eventBroadcast(
        redis,
        config.redisKeyPrefix,
        (message) => {
          const e = decodeStreamed(message);
          if (e) events.stream.deliver(e);
        },
        logger,
      );
    }
    eventsNudge = nudgeAfterCommit(() => events.worker.nudge());
    const oidc = createOidc({
      db: db.kysely,
      repos,
      tokens,
      sessions,
      auth,
      accessKeys: admin.accessKeys,
      clientTokens,
      clock,
      issuer,
      roleCodes: authz.my.roleCodes,
      userDefaults,
      mayUseApp: authz.appAccess.mayUseApp,
      // The pool's policy is cached: a pool with MFA off costs single sign-on no read.
      owesSecondFactor: async (poolId, appId, userId) =>
        (await mfa.policyFor(poolId, appId)).policy !== "off" &&
        (await mfa.secondFactorsOwed(poolId, userId, appId)).action !== "none",
      secret: keys.secret,
      box: keys.box,
      secureCookies: config.publicUrl.startsWith("https:"),
      crossSiteSessionCookie: config.browserSessionCrossSite,
      emit,
      browserSessionTtl: config.browserSessionTtl,
    });
    return {
      config,
      db,
      redis,
      counters,
      repos,
      keys,
      clock,
      logger,
      codes,
      codeRequests: createCodeRequests({ repos, codes }),
      notifier,
      outbox,
      courier,
      nonces: redis ? redisNonceStore(redis, clock) : databaseNonceStore(repos, clock),
      passwords,
      signingKeys,
      sessions,
      tokens,
      loginGuard,
      auth,
      mfa,
      passkeys: createPasskeys({
        repos,
        clock,
        emit,
        secret: keys.secret,
        rp: relyingParty(config),
        auth,
      }),
      devices: createDevices({ repos, clock, sessions }),
      oidc,
      profile,
      account: createAccount({
        repos,
        sessions,
        clock,
        emit,
        codes,
        profile,
        mfa,
        browserSessions: oidc.browserSessions,
      }),
      admin,
      authz,
      events,
      identities: createIdentities({
        db: db.kysely,
        repos,
        clock,
        box: keys.box,
        emit,
        tokens,
        publicUrl: config.publicUrl,
        allowHttp: config.idpAllowHttp,
      }),
      close: async () => {
        await events.worker.stop();
        await eventsBroadcast?.close();
        await courier.close();
        await broadcast?.close();
        await authzChanges?.close();
        await redis?.quit().catch(() => redis?.disconnect());
        await db.close();
      },
    };
  } catch (err) {
    await eventsBroadcast?.close();
    await broadcast?.close();
    await authzChanges?.close();
    redis?.disconnect();
    await db.close();
    throw err;
  }
}
