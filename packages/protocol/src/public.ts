import { type Static, Type } from "@sinclair/typebox";
import { Envelope } from "./common.js";

/** GET /api/v3/system — no envelope (docs/wire-contract.md §3h). */
export const SystemInfo = Type.Object({
  rsa: Type.Object({ publicKey: Type.String() }),
  sm2: Type.Object({ publicKey: Type.String() }),
  version: Type.Object({ server: Type.String(), console: Type.String(), login: Type.String() }),
  publicIps: Type.Array(Type.String()),
});
export type SystemInfo = Static<typeof SystemInfo>;

const LangValue = Type.Object({ enabled: Type.Boolean(), value: Type.String() });
export const CountryDto = Type.Object({
  alpha2: Type.String(),
  alpha3: Type.String(),
  phoneCountryCode: Type.String(),
  flag: Type.String(),
  name: Type.Object({
    "zh-CN": LangValue,
    "en-US": LangValue,
    "zh-TW": LangValue,
    "ja-JP": LangValue,
  }),
});
export type CountryDto = Static<typeof CountryDto>;
export const CountryListResponse = Envelope(Type.Array(CountryDto));
