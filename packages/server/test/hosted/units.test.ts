import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { brandOf, textOn } from "../../src/hosted/branding.js";
import { originsOf, pageCsp } from "../../src/hosted/csp.js";
import { chooseLocale, fromAcceptLanguage, fromUiLocales } from "../../src/hosted/locale.js";
import { accountKind } from "../../src/hosted/pages/sign-in-methods.js";
import { enUS } from "../../src/hosted/texts/en-US.js";
import { zhCN } from "../../src/hosted/texts/zh-CN.js";
import { defaultPoolSettings } from "../../src/services/users/pool-settings.js";

describe("hosted pages: language choice", () => {
  it("ui_locales: the first of ours, any region", () => {
    assert.equal(fromUiLocales("fr-CA zh-TW en"), "zh-CN");
    assert.equal(fromUiLocales("en-GB"), "en-US");
    assert.equal(fromUiLocales("de fr"), undefined);
    assert.equal(fromUiLocales(""), undefined);
  });
  it("Accept-Language: the highest weight among ours; q=0 means not this one", () => {
    assert.equal(fromAcceptLanguage("de;q=1, en;q=0.4, zh-CN;q=0.9"), "zh-CN");
    assert.equal(fromAcceptLanguage("zh;q=0, en-US;q=0.1"), "en-US");
    assert.equal(fromAcceptLanguage("*"), undefined);
    assert.equal(fromAcceptLanguage("en;q=abc"), undefined);
    assert.equal(
      fromAcceptLanguage(`${"x,".repeat(5000)}en`),
      undefined,
      "a huge header is cut, not parsed whole",
    );
  });
  it("order: ui_locales values first, then the browser, then the pool", () => {
    assert.equal(chooseLocale([undefined, "en"], "zh", "zh-CN"), "en-US");
    assert.equal(chooseLocale(["zh", "en"], "en", "en-US"), "zh-CN");
    assert.equal(chooseLocale([undefined], "en", "zh-CN"), "en-US");
    assert.equal(chooseLocale([undefined], undefined, "en-US"), "en-US");
  });
  it("both languages have every text", () => {
    const keys = (o: object, prefix = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === "object" ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    assert.deepEqual(keys(zhCN).sort(), keys(enUS).sort());
  });
});

describe("hosted pages: branding and CSP", () => {
  it("text on the accent is whichever of black and white contrasts more", () => {
    assert.equal(textOn("#1d4ed8"), "#ffffff");
    assert.equal(textOn("#ffd700"), "#000000");
    assert.equal(textOn("#000000"), "#ffffff");
    assert.equal(textOn("#ffffff"), "#000000");
  });
  it("the brand style's hash is the one the CSP allows", async () => {
    const { createHash } = await import("node:crypto");
    const brand = brandOf("Acme", {
      ...defaultPoolSettings(),
      branding: { logoUrl: "", accentColor: "#0F766E" },
    });
    assert.equal(brand.style, ":root{--accent:#0f766e;--on-accent:#ffffff;--link:#0f766e}");
    assert.equal(brand.styleHash, `sha256-${createHash("sha256").update(brand.style).digest("base64")}`);
    assert.match(
      pageCsp({ styleHash: brand.styleHash }),
      new RegExp(`style-src 'self' '${brand.styleHash.replace(/[+/]/g, "\\$&")}'`),
    );
  });
  it("redirect URIs become CSP sources: http(s) origins, an app's own scheme, nothing for junk", () => {
    assert.deepEqual(
      originsOf([
        "https://a.example/cb?x=1",
        "https://a.example/other",
        "http://localhost:3000/cb",
        "com.example.app:/cb",
        "not a url",
        "javascript:alert(1)",
      ]),
      ["https://a.example", "http://localhost:3000", "com.example.app:"],
    );
  });
});

describe("hosted pages: which identifier a typed account is", () => {
  const all = ["email", "phone", "username"] as const;
  it("by its shape, among the enabled kinds", () => {
    assert.equal(accountKind("ann@example.com", [...all]), "email");
    assert.equal(accountKind("+86 139 1234 5678", [...all]), "phone");
    assert.equal(accountKind("ann", [...all]), "username");
    assert.equal(accountKind("13912345678", ["email", "username"]), "username");
    assert.equal(accountKind("ann@example.com", ["phone"]), undefined);
  });
});
