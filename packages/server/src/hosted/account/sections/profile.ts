import { UpdateUserProfileDto } from "@gatehouse/protocol";
import { Value } from "@sinclair/typebox/value";
import { ApiError } from "../../../errors.js";
import type { AccountForm } from "../forms.js";
import type { AccountSection } from "../types.js";

/** The fields of update-profile the page edits, in the order it shows them. */
export const PROFILE_FIELDS = [
  "name",
  "nickname",
  "username",
  "photo",
  "gender",
  "birthdate",
  "company",
  "country",
  "province",
  "city",
  "address",
  "streetAddress",
  "postalCode",
] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];

/** The form as update-profile's body: every field sent, as typed (an empty one clears it, like the API). */
function profileBody(body: AccountForm): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of PROFILE_FIELDS) {
    const v = body[f];
    if (v === undefined) continue;
    // The username cannot be cleared; an empty gender means "unknown".
    if (f === "username" && v.trim() === "") continue;
    out[f] = f === "gender" && v === "" ? "U" : v.trim();
  }
  return out;
}

/** The schema's refusals, by field: the API answers them as a 400 the same way. */
function schemaErrors(dto: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of Value.Errors(UpdateUserProfileDto, dto)) {
    const f = e.path.split("/")[1];
    if (f && !out[f]) out[f] = "FIELD_INVALID";
  }
  return out;
}

export const profileSection: AccountSection = {
  id: "profile",
  sensitive: false,
  async load(ctx, scene) {
    const me = await ctx.profile.getProfile(scene.who, {});
    const values: Record<string, string> = {};
    for (const f of PROFILE_FIELDS) {
      const v = (me as Record<string, unknown>)[f];
      values[f] = typeof v === "string" ? v : "";
    }
    // The pool's default avatar is not the user's photo: saving the form must not store it.
    values.photo = scene.user.photo ?? "";
    return { values, fields: PROFILE_FIELDS };
  },
  fieldOf(err) {
    if (err instanceof ApiError && err.key.startsWith("USERNAME")) return "username";
    return undefined;
  },
  actions: {
    save: {
      sensitive: false,
      async run({ ctx, scene, body }) {
        const dto = profileBody(body);
        const invalid = schemaErrors(dto);
        if (Object.keys(invalid).length > 0) return { state: { fieldErrors: invalid, values: dto } };
        await ctx.profile.updateProfile(scene.who, dto as UpdateUserProfileDto);
        return { done: "profileSaved" };
      },
    },
  },
};

export type { ProfileField };
