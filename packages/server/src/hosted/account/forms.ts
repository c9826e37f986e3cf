import { type Static, Type } from "@sinclair/typebox";

/**
 * Every account form's body: bounded strings only, no unknown field (a repeated field, an object or
 * an overlong value is the "form not understood" page). The services judge the values.
 */
const F = (max: number) => Type.Optional(Type.String({ maxLength: max }));

export const AccountForm = Type.Object(
  {
    _csrf: F(200),
    // profile (update-profile's fields)
    name: F(256),
    nickname: F(256),
    photo: F(2048),
    gender: F(8),
    birthdate: F(64),
    country: F(256),
    province: F(256),
    city: F(256),
    address: F(1024),
    streetAddress: F(1024),
    postalCode: F(64),
    company: F(256),
    username: F(128),
    // contacts, codes, passwords
    phone: F(32),
    email: F(254),
    oldCode: F(16),
    newCode: F(16),
    code: F(16),
    oldPassword: F(2048),
    newPassword: F(2048),
    password: F(2048),
    // MFA, sessions, re-authentication, delete
    token: F(512),
    factorId: F(64),
    sessionId: F(64),
    // linked accounts
    connId: F(64),
    extIdpId: F(64),
    method: F(16),
    secret: F(2048),
    section: F(32),
    /** The form posted (its element id): re-authentication returns to it (docs/account-page.md §Re-authentication). */
    form: Type.Optional(Type.String({ maxLength: 96, pattern: "^[a-z][A-Za-z0-9_-]*$" })),
    confirm: F(8),
    // passkeys: which one, and the ceremony (the ticket, the browser's answer as JSON)
    passkeyId: F(64),
    ticket: F(128),
    credential: F(16384),
  },
  { additionalProperties: false },
);
export type AccountForm = Static<typeof AccountForm>;

export const AccountParams = Type.Object({
  section: Type.String({ maxLength: 32, pattern: "^[a-z][a-z-]*$" }),
  action: Type.String({ maxLength: 32, pattern: "^[a-z][a-z-]*$" }),
});
export type AccountParams = Static<typeof AccountParams>;

export const AccountQuery = Type.Object({
  app_id: Type.Optional(Type.String({ maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" })),
  ui_locales: Type.Optional(Type.String({ maxLength: 200 })),
  done: Type.Optional(Type.String({ maxLength: 32 })),
  section: Type.Optional(Type.String({ maxLength: 32 })),
  error: Type.Optional(Type.String({ maxLength: 64 })),
  error_description: Type.Optional(Type.String({ maxLength: 500 })),
  state: Type.Optional(Type.String({ maxLength: 500 })),
});
export type AccountQuery = Static<typeof AccountQuery>;

/** A trimmed field, empty when absent. */
export const field = (v: string | undefined): string => v?.trim() ?? "";
