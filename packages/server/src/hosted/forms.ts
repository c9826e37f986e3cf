import { type Static, Type } from "@sinclair/typebox";

/**
 * The hosted forms' bodies. Every field is a bounded string (a repeated field, an object or an
 * overlong value is refused by validation and shown as the "form not understood" page); the
 * services judge the values themselves.
 */
const Field = (max: number) => Type.Optional(Type.String({ maxLength: max }));
/** Optional here so that a form without it is refused by the CSRF check (403), not by validation. */
const Csrf = Type.Optional(Type.String({ maxLength: 200 }));

export const PasswordForm = Type.Object({ _csrf: Csrf, account: Field(254), password: Field(2048) });
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

export const CsrfOnlyForm = Type.Object({ _csrf: Csrf });

export const UidParams = Type.Object({ uid: Type.String({ maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" }) });
export type UidParams = Static<typeof UidParams>;
export const IdParams = Type.Object({ id: Type.String({ maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" }) });
export type IdParams = Static<typeof IdParams>;

export const PageQuery = Type.Object({
  method: Type.Optional(Type.String({ maxLength: 32 })),
  ui_locales: Type.Optional(Type.String({ maxLength: 200 })),
});
export type PageQuery = Static<typeof PageQuery>;
