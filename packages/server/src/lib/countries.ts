import type { CountryDto } from "@gatehouse/protocol";
// The core only (alpha-2 ↔ alpha-3): the package root also loads every language's names (memory).
import countries from "i18n-iso-countries/index.js";
import { getCountries, getCountryCallingCode } from "libphonenumber-js";

const locales = ["zh-CN", "en-US", "zh-TW", "ja-JP"] as const;

/** Regional-indicator emoji for an ISO alpha-2 code. */
function flag(alpha2: string): string {
  return String.fromCodePoint(...[...alpha2].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

let cache: CountryDto[] | undefined;

/** GET /api/v3/get-country-list data (docs/wire-contract.md §3h), built once from library metadata. */
export function countryList(): CountryDto[] {
  if (cache) return cache;
  const names = Object.fromEntries(locales.map((l) => [l, new Intl.DisplayNames([l], { type: "region" })]));
  cache = getCountries()
    .map((alpha2) => {
      const name = Object.fromEntries(
        locales.map((l) => [l, { enabled: true, value: names[l].of(alpha2) ?? alpha2 }]),
      ) as CountryDto["name"];
      return {
        alpha2,
        alpha3: countries.alpha2ToAlpha3(alpha2) ?? "",
        phoneCountryCode: `+${getCountryCallingCode(alpha2)}`,
        flag: flag(alpha2),
        name,
      };
    })
    .sort((a, b) => a.name["en-US"].value.localeCompare(b.name["en-US"].value));
  return cache;
}
