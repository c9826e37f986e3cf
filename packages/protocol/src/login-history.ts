import { type Static, Type } from "@sinclair/typebox";
import { Envelope, EpochInt, Str } from "./common.js";

/** The signed-in user's login history and apps (docs/wire-contract.md §3f). */
export const LoginHistoryQuery = Type.Object({
  appId: Type.Optional(Str(64)),
  clientIp: Type.Optional(Str(64)),
  success: Type.Optional(Type.Boolean()),
  /** epoch ms */
  start: Type.Optional(EpochInt()),
  /** epoch ms */
  end: Type.Optional(EpochInt()),
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
});
export type LoginHistoryQuery = Static<typeof LoginHistoryQuery>;

const S = Type.String();
export const LoginHistoryDto = Type.Object({
  userId: S,
  appId: S,
  appName: S,
  appLoginUrl: S,
  appLogo: S,
  loginAt: S,
  clientIp: S,
  success: Type.Boolean(),
  errorMessage: Type.Optional(S),
  userAgent: S,
  parsedUserAgent: Type.Object({ device: S, name: S, os: S }),
  loginMethod: S,
  geoip: Type.Object({
    location: Type.Object({ lon: Type.Number(), lat: Type.Number() }),
    country_name: S,
    country_code2: S,
    country_code3: S,
    region_name: S,
    region_code: S,
    city_name: S,
    continent_code: S,
    timezone: S,
  }),
  tenantId: Type.Optional(S),
});
export type LoginHistoryDto = Static<typeof LoginHistoryDto>;

export const LoginHistoryResponse = Envelope(
  Type.Object({ totalCount: Type.Integer(), list: Type.Array(LoginHistoryDto) }),
);

export const LoggedInAppDto = Type.Object({
  appId: S,
  appName: S,
  appLoginUrl: S,
  appLogo: S,
  active: Type.Boolean(),
});
export type LoggedInAppDto = Static<typeof LoggedInAppDto>;
export const LoggedInAppsResponse = Envelope(Type.Array(LoggedInAppDto));
