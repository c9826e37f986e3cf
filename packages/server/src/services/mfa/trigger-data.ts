import type { MfaInfoData, MfaTriggerDataInput } from "@gatehouse/protocol";
import type { MfaFactorRow } from "../../storage/repos/mfa-factors.js";
import type { UserRow } from "../../storage/repos/users.js";
import { splitE164 } from "../users/phone.js";
import { profileOf } from "./deps.js";
import type { MfaPolicy } from "./policy.js";

/**
 * GetMfaInfoDataDto for one user (docs/mfa.md §The API's MFA step): the factors that count, in
 * order, as `applicationMfa`; whether the user's authenticator counts; where SMS and email codes
 * go. The one shape of the 1635/1636 answer, get-mfa-trigger-data and get-mfa-status.
 */
export function mfaInfoData(
  user: UserRow,
  policy: MfaPolicy,
  factors: readonly MfaFactorRow[],
  mfaToken: string,
): MfaInfoData {
  const counted = (type: string) =>
    policy.enabledFactors.includes(type as MfaPolicy["enabledFactors"][number])
      ? factors.find((f) => f.factor_type === type)
      : undefined;
  const sms = counted("SMS");
  const mail = counted("EMAIL");
  const smsProfile = sms ? profileOf(sms) : undefined;
  const phone = user.phone ? splitE164(user.phone) : undefined;
  const data: MfaInfoData = {
    mfaToken,
    applicationMfa: policy.enabledFactors.map((mfaPolicy, sort) => ({ mfaPolicy, status: 1, sort })),
    totpMfaEnabled: counted("OTP") !== undefined,
    faceMfaEnabled: false,
  };
  if (smsProfile?.phoneNumber) data.mfaPhone = smsProfile.phoneNumber;
  if (smsProfile?.phoneCountryCode) data.mfaPhoneCountryCode = smsProfile.phoneCountryCode;
  if (mail) {
    const email = profileOf(mail).email;
    if (email) data.mfaEmail = email;
  }
  if (user.nickname) data.nickname = user.nickname;
  if (user.username) data.username = user.username;
  if (phone?.phone) data.phone = phone.phone;
  if (phone?.phoneCountryCode) data.phoneCountryCode = phone.phoneCountryCode;
  if (user.email) data.email = user.email;
  return data;
}

/** set-mfa-status stores what the administrator sent, except a token (tokens are never stored). */
export function storedTriggerData(input: MfaTriggerDataInput): string {
  const { mfaToken: _never, ...rest } = input;
  return JSON.stringify(rest);
}

/** get-mfa-status: the derived data with the administrator's values over it. */
export function withStoredTriggerData(derived: MfaInfoData, stored: string | undefined): MfaInfoData {
  if (!stored) return derived;
  try {
    const set = JSON.parse(stored) as Partial<MfaInfoData>;
    return {
      ...derived,
      ...set,
      mfaToken: derived.mfaToken,
      applicationMfa: (set.applicationMfa ?? derived.applicationMfa).map((e, i) => ({
        mfaPolicy: e.mfaPolicy,
        status: e.status,
        sort: e.sort ?? i,
      })),
    };
  } catch {
    return derived;
  }
}
