/**
 * The SDK's request and response types under the official SDK's names. Each is the `Static<>`
 * type of a @gatehouse/protocol schema — the one the server validates with; the endpoints whose
 * schemas have not landed yet are described in pending-types.ts.
 */
import type {
  EmailChannel,
  PreCheckCodeBody,
  PreCheckCodeData,
  SendEmailBody,
  SendSmsBody,
  SmsChannel,
} from "@gatehouse/protocol";

// §3b messages (protocol/messages.ts)
export type { EmailChannel, SmsChannel };
export type SendSmsDto = SendSmsBody;
export type SendEmailDto = SendEmailBody;
export type PreCheckCodeDto = PreCheckCodeBody;
export type PreCheckCodeDataDto = PreCheckCodeData;

export type * from "./pending-types.js";
