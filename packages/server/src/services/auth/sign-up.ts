import type { PoolSettings, SignUpProfile, SignUpRequest, UserDto } from "@gatehouse/protocol";
import type { Kysely } from "kysely";
import { ApiError, bilingual, invalidRequest, missingParam } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { type Repositories, repositories } from "../../storage/repos/index.js";
import type { NewUserRow } from "../../storage/repos/users.js";
import type { Database } from "../../storage/schema.js";
import type { CheckedCode, CodeService, CodeTarget } from "../codes/engine.js";
import type { Emit } from "../events/emit.js";
import { assertUserMayWriteCustomData, checkCustomData } from "../users/custom-data.js";
import { toUserDto, userDtoDefaults } from "../users/dto.js";
import {
  assertIdentifiersFree,
  assertNoSelfServiceExternalId,
  insertUser,
  newUserRow,
  normalizeEmail,
  normalizePhoneE164,
  normalizeUsername,
} from "../users/identifiers.js";
import { emitRegistered } from "./events.js";
import type { PasswordService } from "./passwords/hashing.js";
import type { AppScope, RequestMeta } from "./scope.js";
import type { SignUpLimits } from "./sign-up-limits.js";

export interface SignUpDeps {
  db: Kysely<Database>;
  repos: Repositories;
  passwords: PasswordService;
  codes: CodeService;
  signUpLimits: SignUpLimits;
  emit: Emit;
  clock: Clock;
  publicUrl: string;
}

/** What a sign-up will create, before any code is checked or password hashed. */
interface Plan {
  email?: string;
  emailVerified: boolean;
  username?: string;
  phone?: string;
  phoneVerified: boolean;
  password?: string;
  /** Codes that must be valid (checked, then consumed with the insert). */
  codes: { target: CodeTarget; channel: string; code: string }[];
  source: string;
}

function assertRegisterEnabled(settings: PoolSettings): void {
  if (settings.registerDisabled) throw new ApiError("REGISTER_DISABLED");
}

function planPassword(deps: SignUpDeps, input: SignUpRequest): Plan {
  const p = input.passwordPayload;
  if (!p) throw missingParam("passwordPayload", "passwordPayload is required for PASSWORD");
  if (p.email === undefined && p.username === undefined) {
    throw invalidRequest(
      "passwordPayload 需要 email 或 username",
      "passwordPayload needs an email or a username",
    );
  }
  return {
    email: p.email !== undefined ? normalizeEmail(p.email) : undefined,
    emailVerified: false,
    username: p.username !== undefined ? normalizeUsername(p.username) : undefined,
    phoneVerified: false,
    password: deps.passwords.decrypt(p.password, input.options?.passwordEncryptType),
    codes: [],
    source: p.email !== undefined ? "basic:email-password" : "basic:username-password",
  };
}

function planPasscode(deps: SignUpDeps, s: AppScope, input: SignUpRequest): Plan {
  const p = input.passCodePayload;
  if (!p) throw missingParam("passCodePayload", "passCodePayload is required for PASSCODE");
  const raw = input.options?.passwordForPhonePassCode;
  const password =
    raw !== undefined ? deps.passwords.decrypt(raw, input.options?.passwordEncryptType) : undefined;
  const poolId = s.pool.id;
  if (p.phone !== undefined) {
    const phone = normalizePhoneE164(p.phone, p.phoneCountryCode, s.settings);
    return {
      phone,
      phoneVerified: true,
      emailVerified: false,
      password,
      codes: [
        { target: { poolId, kind: "sms", target: phone }, channel: "CHANNEL_REGISTER", code: p.passCode },
      ],
      source: "basic:phone-code",
    };
  }
  if (p.email !== undefined) {
    const email = normalizeEmail(p.email);
    return {
      email,
      emailVerified: true,
      phoneVerified: false,
      password,
      codes: [
        { target: { poolId, kind: "email", target: email }, channel: "CHANNEL_REGISTER", code: p.passCode },
      ],
      source: "basic:email-code",
    };
  }
  throw invalidRequest("passCodePayload 需要 phone 或 email", "passCodePayload needs a phone or an email");
}

/** profile.email / profile.phone: "information completion", each proved by its own code. */
function planCompletion(s: AppScope, input: SignUpRequest, plan: Plan): void {
  const profile = input.profile;
  const options = input.options;
  const poolId = s.pool.id;
  if (profile?.email !== undefined) {
    const email = normalizeEmail(profile.email);
    if (plan.email === undefined) {
      const code = options?.emailPassCodeForInformationCompletion;
      if (!code) {
        throw new ApiError("INVALID_REQUEST", {
          texts: bilingual(
            "profile.email 需要 options.emailPassCodeForInformationCompletion（CHANNEL_COMPLETE_EMAIL）",
            "profile.email needs options.emailPassCodeForInformationCompletion (CHANNEL_COMPLETE_EMAIL)",
          ),
        });
      }
      plan.email = email;
      plan.emailVerified = true;
      plan.codes.push({
        target: { poolId, kind: "email", target: email },
        channel: "CHANNEL_COMPLETE_EMAIL",
        code,
      });
    } else if (plan.email !== email) {
      throw new ApiError("INVALID_REQUEST", {
        texts: bilingual(
          "profile.email 与注册使用的邮箱不一致",
          "profile.email differs from the email signing up",
        ),
      });
    }
  }
  if (profile?.phone !== undefined) {
    const phone = normalizePhoneE164(profile.phone, profile.phoneCountryCode, s.settings);
    if (plan.phone === undefined) {
      const code = options?.phonePassCodeForInformationCompletion;
      if (!code) {
        throw new ApiError("INVALID_REQUEST", {
          texts: bilingual(
            "profile.phone 需要 options.phonePassCodeForInformationCompletion（CHANNEL_COMPLETE_PHONE）",
            "profile.phone needs options.phonePassCodeForInformationCompletion (CHANNEL_COMPLETE_PHONE)",
          ),
        });
      }
      plan.phone = phone;
      plan.phoneVerified = true;
      plan.codes.push({
        target: { poolId, kind: "sms", target: phone },
        channel: "CHANNEL_COMPLETE_PHONE",
        code,
      });
    } else if (plan.phone !== phone) {
      throw new ApiError("INVALID_REQUEST", {
        texts: bilingual(
          "profile.phone 与注册使用的手机号不一致",
          "profile.phone differs from the phone signing up",
        ),
      });
    }
  }
}

/** SignUpProfileDto → user columns (`locality` is the city). */
export function profileColumns(profile: SignUpProfile | undefined): Partial<NewUserRow> {
  if (!profile) return {};
  const cols: Partial<NewUserRow> = {
    nickname: profile.nickname,
    company: profile.company,
    photo: profile.photo,
    device: profile.device,
    browser: profile.browser,
    name: profile.name,
    given_name: profile.givenName,
    family_name: profile.familyName,
    middle_name: profile.middleName,
    profile: profile.profile,
    preferred_username: profile.preferredUsername,
    website: profile.website,
    gender: profile.gender,
    birthdate: profile.birthdate,
    zoneinfo: profile.zoneinfo,
    locale: profile.locale,
    address: profile.address,
    formatted: profile.formatted,
    street_address: profile.streetAddress,
    city: profile.locality,
    region: profile.region,
    postal_code: profile.postalCode,
    country: profile.country,
    custom_data: profile.customData ? JSON.stringify(profile.customData) : undefined,
  };
  return Object.fromEntries(Object.entries(cols).filter(([, v]) => v !== undefined));
}

/**
 * `POST /api/v3/signup` (docs/wire-contract.md §3a). Order: cheap checks, customData the user may
 * write (docs/behaviour-and-errors.md §2.11), identifiers free, the sign-up caps, codes valid,
 * password hashed — then one short transaction inserts the user and consumes the codes.
 */
async function signUp(
  deps: SignUpDeps,
  s: AppScope,
  input: SignUpRequest,
  meta: RequestMeta,
): Promise<UserDto> {
  assertRegisterEnabled(s.settings);
  assertNoSelfServiceExternalId(input.profile);
  const plan = input.connection === "PASSWORD" ? planPassword(deps, input) : planPasscode(deps, s, input);
  planCompletion(s, input, plan);
  if (plan.password !== undefined) deps.passwords.assertPolicy(plan.password, s.settings);
  await checkCustomData(deps.repos, s.pool.id, input.profile?.customData, assertUserMayWriteCustomData);
  await assertIdentifiersFree(deps.repos, s.pool.id, plan);
  // Before the codes are judged and the password hashed: a refused sign-up costs nothing more.
  await deps.signUpLimits.take(s, meta.ip);

  const checked: CheckedCode[] = [];
  for (const c of plan.codes) checked.push(await deps.codes.check(c.target, [c.channel], c.code, s.settings));

  const now = deps.clock.now();
  const row = newUserRow(s.pool.id, now, {
    ...profileColumns(input.profile),
    email: plan.email ?? null,
    email_verified: plan.emailVerified ? 1 : 0,
    email_proved_at: plan.emailVerified ? now : null,
    username: plan.username ?? null,
    phone: plan.phone ?? null,
    phone_verified: plan.phoneVerified ? 1 : 0,
    phone_proved_at: plan.phoneVerified ? now : null,
    source_type: "register",
    source_id: s.app.id,
    register_source: JSON.stringify([plan.source]),
  });
  if (plan.password !== undefined) {
    row.password_hash = await deps.passwords.hash(plan.password);
    row.password_security_level = deps.passwords.securityLevel(plan.password);
    row.password_last_set_at = now;
  }
  await deps.db.transaction().execute(async (trx) => {
    const tx = repositories(trx);
    await insertUser(tx, row);
    if (checked.length > 0) await deps.codes.consume(checked, trx);
    await emitRegistered(deps.emit, tx, meta.origin, s.pool.id, row.id as string);
  });
  const created = await deps.repos.users.findUserById(s.pool.id, row.id);
  if (!created) throw new ApiError("INTERNAL");
  return toUserDto(created, userDtoDefaults(s.settings, deps.publicUrl));
}

export function createSignUp(deps: SignUpDeps) {
  return {
    signUp: (s: AppScope, input: SignUpRequest, meta: RequestMeta) => signUp(deps, s, input, meta),
  };
}
