import { type Static, Type } from "@sinclair/typebox";

/**
 * The hosted forms' bodies. Every field is a bounded string (a repeated field, an object or an
 * overlong value is refused by validation and shown as the "form not understood" page); the
 * services judge the values themselves.
 */
const Field = (max: number) => Type.Optional(Type.String({ maxLength: max }));
/** Optional here so that a form without it is refused by the CSRF check (403), not by validation. */
const Csrf = Type.Optional(Type.String({ maxLength: 200 }));

export const PasswordForm = Type.Object({
  _csrf: Csrf,
  account: Field(254),
  password: Field(2048),
  /** Set by the page's script when this browser can create a passkey (docs/passkeys.md §The prompt). */
  webauthn: Field(16),
});
export type PasswordForm = Static<typeof PasswordForm>;

export const ChannelValue = Type.Union([Type.Literal("sms"), Type.Literal("email")]);
export type Channel = Static<typeof ChannelValue>;

export const CodeForm = Type.Object({
  _csrf: Csrf,
  channel: ChannelValue,
  phone: Field(32),
  email: Field(254),
  code: Field(16),
});
export type CodeForm = Static<typeof CodeForm>;

export const SignUpForm = Type.Object({
  _csrf: Csrf,
  method: Type.Union([
    Type.Literal("email-password"),
    Type.Literal("phone-code"),
    Type.Literal("email-code"),
  ]),
  email: Field(254),
  phone: Field(32),
  code: Field(16),
  password: Field(2048),
});
export type SignUpForm = Static<typeof SignUpForm>;

export const ResetForm = Type.Object({
  _csrf: Csrf,
  channel: ChannelValue,
  phone: Field(32),
  email: Field(254),
  code: Field(16),
  password: Field(2048),
});
export type ResetForm = Static<typeof ResetForm>;

export const ConsentForm = Type.Object({
  _csrf: Csrf,
  decision: Type.Union([Type.Literal("allow"), Type.Literal("deny")]),
});
export type ConsentForm = Static<typeof ConsentForm>;

/** The passkey sign-in: the ticket the page was rendered with and the browser's credential as JSON. */
export const PasskeyForm = Type.Object({ _csrf: Csrf, ticket: Field(128), credential: Field(16384) });
export type PasskeyForm = Static<typeof PasskeyForm>;

/** The "add a passkey" prompt: the new passkey (its name, the ticket, the browser's answer as JSON), or an answer. */
export const PasskeyPromptForm = Type.Object({
  _csrf: Csrf,
  name: Field(64),
  ticket: Field(128),
  credential: Field(16384),
});
export type PasskeyPromptForm = Static<typeof PasskeyPromptForm>;
export const PasskeyPromptSkipForm = Type.Object({
  _csrf: Csrf,
  answer: Type.Optional(Type.Union([Type.Literal("later"), Type.Literal("never")])),
});
export type PasskeyPromptSkipForm = Static<typeof PasskeyPromptSkipForm>;

export const CsrfOnlyForm = Type.Object({ _csrf: Csrf });
export type CsrfOnlyForm = Static<typeof CsrfOnlyForm>;

/** The MFA step's factors as the forms name them. */
const ProveKind = Type.Union([
  Type.Literal("otp"),
  Type.Literal("sms"),
  Type.Literal("email"),
  Type.Literal("recovery"),
]);

export const MfaVerifyForm = Type.Object({
  _csrf: Csrf,
  kind: ProveKind,
  // A recovery code is 29 characters; a few more for spaces typed around it.
  code: Field(64),
  remember: Type.Optional(Type.Literal("on")),
});
export type MfaVerifyForm = Static<typeof MfaVerifyForm>;

/** A passkey as the second factor: the sign-in page's passkey form, and "remember this device". */
export const MfaPasskeyForm = Type.Object({
  _csrf: Csrf,
  ticket: Field(128),
  credential: Field(16384),
  remember: Type.Optional(Type.Literal("on")),
});
export type MfaPasskeyForm = Static<typeof MfaPasskeyForm>;

export const MfaSendForm = Type.Object({
  _csrf: Csrf,
  kind: Type.Union([Type.Literal("sms"), Type.Literal("email")]),
  code: Field(64),
  remember: Type.Optional(Type.Literal("on")),
});
export type MfaSendForm = Static<typeof MfaSendForm>;

export const MfaEnrolStartForm = Type.Object({
  _csrf: Csrf,
  factor: Type.Union([Type.Literal("otp"), Type.Literal("sms"), Type.Literal("email")]),
  phone: Field(32),
  email: Field(254),
});
export type MfaEnrolStartForm = Static<typeof MfaEnrolStartForm>;

export const MfaEnrolForm = Type.Object({ _csrf: Csrf, code: Field(16) });
export type MfaEnrolForm = Static<typeof MfaEnrolForm>;

export const MfaQuery = Type.Object({
  factor: Type.Optional(Type.String({ maxLength: 16 })),
  ui_locales: Type.Optional(Type.String({ maxLength: 200 })),
});
export type MfaQuery = Static<typeof MfaQuery>;

export const UidParams = Type.Object({ uid: Type.String({ maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" }) });
export type UidParams = Static<typeof UidParams>;
export const IdParams = Type.Object({ id: Type.String({ maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" }) });
export type IdParams = Static<typeof IdParams>;

export const PageQuery = Type.Object({
  method: Type.Optional(Type.String({ maxLength: 32 })),
  ui_locales: Type.Optional(Type.String({ maxLength: 200 })),
});
export type PageQuery = Static<typeof PageQuery>;
