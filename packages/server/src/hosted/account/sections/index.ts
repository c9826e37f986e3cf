import type { AccountSection } from "../types.js";
import { emailSection, phoneSection } from "./contacts.js";
import { deleteSection } from "./delete.js";
import { historySection } from "./history.js";
import { identitiesSection } from "./identities.js";
import { mfaSection } from "./mfa.js";
import { passkeysSection } from "./passkeys.js";
import { passwordSection } from "./password.js";
import { profileSection } from "./profile.js";
import { sessionsSection } from "./sessions.js";

/**
 * The account page's sections, in page order. A new one is a module here plus a template
 * `account-<id>.eta` and its texts under `t.account.<id>` (docs/account-page.md §Sections).
 */
export const SECTIONS: AccountSection[] = [
  profileSection,
  phoneSection,
  emailSection,
  passwordSection,
  mfaSection,
  passkeysSection,
  identitiesSection,
  sessionsSection,
  historySection,
  deleteSection,
];

export function sectionById(id: string): AccountSection | undefined {
  return SECTIONS.find((s) => s.id === id);
}
