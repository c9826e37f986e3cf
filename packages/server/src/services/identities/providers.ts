import { ApiError } from "../../errors.js";

/**
 * What each kind of connection needs and how its upstream account becomes a profile
 * (docs/social-sign-in.md#connection-fields). Two kinds work end to end — generic OpenID Connect
 * and generic OAuth 2.0 — and the `github` and `google` presets are those two with the endpoints
 * and the mapping filled in. Every other GenAuth type is stored and answers "not supported" when used.
 */

/** The profile fields a mapping may fill, each from a claim (OIDC) or a userinfo JSON key (OAuth 2.0). */
export const PROFILE_FIELDS = [
  "email",
  "emailVerified",
  "name",
  "nickname",
  "givenName",
  "familyName",
  "photo",
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** An upstream account as the sign-in sees it: its id there, the mapped profile, the raw claims. */
export interface UpstreamAccount {
  subject: string;
  profile: Partial<Record<Exclude<ProfileField, "emailVerified">, string>> & { emailVerified?: boolean };
  claims: Record<string, unknown>;
}

/** Everything the upstream client needs about one connection, its secret aside. */
export interface UpstreamSpec {
  /** `oidc`: an ID token is required and verified; `oauth2`: the account comes from the userinfo JSON. */
  protocol: "oidc" | "oauth2";
  /** The issuer to discover (`/.well-known/openid-configuration`); with explicit endpoints, their issuer. */
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userInfoEndpoint?: string;
  jwksUri?: string;
  clientId: string;
  scopes: string;
  tokenEndpointAuthMethod: "client_secret_basic" | "client_secret_post";
  /** profile field (or `id`) → claim / JSON key. */
  mapping: Record<string, string>;
  /** The provider's name for identities (`IdentityDto.provider`). */
  provider: string;
}

/** Identity-provider types whose connections work end to end, and the connection types of each. */
const SUPPORTED: Record<string, string[]> = {
  oidc: ["oidc"],
  oauth2: ["oauth", "oauth2"],
  github: ["github"],
  google: ["google"],
};

/** GenAuth's enterprise kinds; the rest are social (`ExtIdpInfoDto.extIdpType`). */
const ENTERPRISE = new Set(["oidc", "oauth2", "saml", "ldap", "ad", "cas", "azure-ad"]);
export const extIdpKind = (type: string): "social" | "enterprise" =>
  ENTERPRISE.has(type) ? "enterprise" : "social";

/** GenAuth's identity-provider types, all accepted and stored. */
export const KNOWN_IDP_TYPES = new Set([
  "oidc",
  "oauth2",
  "saml",
  "ldap",
  "ad",
  "cas",
  "azure-ad",
  "wechat",
  "google",
  "qq",
  "wechatwork",
  "dingtalk",
  "weibo",
  "github",
  "alipay",
  "apple",
  "baidu",
  "lark",
  "gitlab",
  "twitter",
  "facebook",
  "slack",
  "linkedin",
  "yidun",
  "qingcloud",
  "gitee",
  "instagram",
  "welink",
  "huawei",
  "honor",
  "xiaomi",
  "oppo",
  "aws",
  "amazon",
  "douyin",
  "kuaishou",
  "line",
  "sdbz",
  "zjzwfw",
  "zzding",
  "seeyona8v5",
]);

/** A connection type belongs to its provider's type: `github:mobile` to `github`, `oauth` to `oauth2`. */
export function connTypeFits(idpType: string, connType: string): boolean {
  if (SUPPORTED[idpType]?.includes(connType)) return true;
  const base = connType.split(":")[0] ?? "";
  return (
    base === idpType || base.startsWith(`${idpType}-`) || (idpType === "wechatwork" && base === "wechatwork")
  );
}

export const isSupported = (idpType: string, connType: string) =>
  SUPPORTED[idpType]?.includes(connType) === true;

const DEFAULT_OIDC_MAPPING: Record<string, string> = {
  id: "sub",
  email: "email",
  emailVerified: "email_verified",
  name: "name",
  nickname: "nickname",
  givenName: "given_name",
  familyName: "family_name",
  photo: "picture",
};

const GITHUB = {
  authorizationEndpoint: "https://github.com/login/oauth/authorize",
  tokenEndpoint: "https://github.com/login/oauth/access_token",
  userInfoEndpoint: "https://api.github.com/user",
  scopes: "read:user user:email",
  // GitHub's /user names no verified address: an email it gives is stored unverified.
  mapping: { id: "id", email: "email", name: "name", nickname: "login", photo: "avatar_url" },
};
const GOOGLE = { issuer: "https://accounts.google.com", scopes: "openid profile email" };

/** Fields that hold no secret and may be shown back (the client secret is kept apart, sealed). */
export const SECRET_FIELD = "clientSecret";

function invalid(reason: string): ApiError {
  return new ApiError("EXT_IDP_FIELDS_INVALID", { params: { reason } });
}

const str = (fields: Record<string, unknown>, key: string): string | undefined => {
  const v = fields[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" || v.length > 2048)
    throw invalid(`${key} must be a string of at most 2048 characters`);
  return v;
};

function url(fields: Record<string, unknown>, key: string, allowHttp: boolean): string | undefined {
  const v = str(fields, key);
  if (v === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw invalid(`${key} is not a URL`);
  }
  if (u.protocol !== "https:" && !(allowHttp && u.protocol === "http:"))
    throw invalid(`${key} must be an https URL`);
  return v;
}

function mappingOf(fields: Record<string, unknown>, base: Record<string, string>): Record<string, string> {
  const raw = fields.userMapping;
  if (raw === undefined || raw === null) return { ...base };
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalid("userMapping must be an object");
  const out = { ...base };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k !== "id" && !(PROFILE_FIELDS as readonly string[]).includes(k))
      throw invalid(`userMapping.${k} is not a profile field (id, ${PROFILE_FIELDS.join(", ")})`);
    if (typeof v !== "string" || v.length === 0 || v.length > 128)
      throw invalid(`userMapping.${k} must name a claim`);
    out[k] = v;
  }
  return out;
}

/**
 * The upstream a connection talks to, from its stored fields; checks them too, so that create and
 * update refuse what sign-in could not use. Throws EXT_IDP_NOT_SUPPORTED for the other types.
 */
export function upstreamSpec(
  idpType: string,
  connType: string,
  fields: Record<string, unknown>,
  options: { allowHttp: boolean },
): UpstreamSpec {
  if (!isSupported(idpType, connType))
    throw new ApiError("EXT_IDP_NOT_SUPPORTED", { params: { type: connType } });
  const clientId = str(fields, "clientId") ?? str(fields, "clientID");
  if (!clientId) throw invalid("clientId is required");
  const method = str(fields, "tokenEndpointAuthMethod") ?? "client_secret_basic";
  if (method !== "client_secret_basic" && method !== "client_secret_post")
    throw invalid("tokenEndpointAuthMethod is client_secret_basic or client_secret_post");
  const scopes = (str(fields, "scopes") ?? str(fields, "scope"))?.replace(/,/g, " ").trim();
  const h = options.allowHttp;

  if (idpType === "github") {
    return {
      protocol: "oauth2",
      ...GITHUB,
      scopes: scopes ?? GITHUB.scopes,
      clientId,
      tokenEndpointAuthMethod: "client_secret_post",
      mapping: mappingOf(fields, GITHUB.mapping),
      provider: "github",
    };
  }
  if (idpType === "google" || idpType === "oidc") {
    const preset = idpType === "google" ? GOOGLE : undefined;
    const issuer = url(fields, "issuer", h) ?? url(fields, "issuerUrl", h) ?? preset?.issuer;
    if (!issuer) throw invalid("issuer is required");
    const explicit = {
      authorizationEndpoint: url(fields, "authorizationEndpoint", h),
      tokenEndpoint: url(fields, "tokenEndpoint", h),
      jwksUri: url(fields, "jwksUri", h),
      userInfoEndpoint: url(fields, "userInfoEndpoint", h),
    };
    const given = [explicit.authorizationEndpoint, explicit.tokenEndpoint, explicit.jwksUri].filter(Boolean);
    if (given.length > 0 && given.length < 3)
      throw invalid("explicit endpoints need authorizationEndpoint, tokenEndpoint and jwksUri together");
    const spec: UpstreamSpec = {
      protocol: "oidc",
      issuer,
      clientId,
      scopes: scopes ?? preset?.scopes ?? "openid profile email",
      tokenEndpointAuthMethod: method,
      mapping: mappingOf(fields, DEFAULT_OIDC_MAPPING),
      provider: idpType,
    };
    for (const [k, v] of Object.entries(explicit)) if (v) (spec as unknown as Record<string, string>)[k] = v;
    if (!spec.scopes.split(" ").includes("openid")) spec.scopes = `openid ${spec.scopes}`;
    return spec;
  }
  // oauth2
  const authorizationEndpoint = url(fields, "authorizationEndpoint", h);
  const tokenEndpoint = url(fields, "tokenEndpoint", h);
  const userInfoEndpoint = url(fields, "userInfoEndpoint", h);
  if (!authorizationEndpoint || !tokenEndpoint || !userInfoEndpoint)
    throw invalid("authorizationEndpoint, tokenEndpoint and userInfoEndpoint are required");
  return {
    protocol: "oauth2",
    authorizationEndpoint,
    tokenEndpoint,
    userInfoEndpoint,
    clientId,
    scopes: scopes ?? "",
    tokenEndpointAuthMethod: method,
    mapping: mappingOf(fields, { ...DEFAULT_OIDC_MAPPING, id: "id" }),
    provider: "oauth2",
  };
}

/** A claim by a mapping's name; `a.b` reads nested objects. */
function claim(claims: Record<string, unknown>, name: string): unknown {
  let v: unknown = claims;
  for (const part of name.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The upstream account: its id (a string or a number upstream), and the mapped profile. The email
 * is verified only when the upstream says `true` in so many words.
 */
export function mapAccount(spec: UpstreamSpec, claims: Record<string, unknown>): UpstreamAccount | undefined {
  const rawId = claim(claims, spec.mapping.id ?? "sub");
  const subject = typeof rawId === "number" && Number.isSafeInteger(rawId) ? String(rawId) : rawId;
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 255) return undefined;
  const profile: UpstreamAccount["profile"] = {};
  for (const field of PROFILE_FIELDS) {
    const from = spec.mapping[field];
    if (!from) continue;
    const v = claim(claims, from);
    if (field === "emailVerified") {
      if (v === true) profile.emailVerified = true;
    } else if (typeof v === "string" && v.length > 0 && v.length <= 2048) profile[field] = v;
  }
  return { subject, profile, claims };
}
