import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  apiErrors,
  asLanguage,
  errorText,
  fromAcceptLanguage,
  LANGUAGES,
  pickLanguage,
} from "@gatehouse/protocol";
import Ajv from "ajv";
import ts from "typescript";
import { ApiError } from "../../src/errors.js";
import { validationField, validationTexts } from "../../src/http/validation.js";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");
const CJK = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;
/** Functions taking a message as (zh-CN, en-US). */
const PAIR_HELPERS = new Set(["bilingual", "invalidRequest", "weak", "invalid"]);
const MAY_HOLD_TEXTS = /\b(bilingual|invalidRequest|weak|invalid)\(|"(zh-CN|en-US)":/;

function sourceFiles(dir = SRC, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(p, out);
    else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The literal text of a string or template (its fixed parts), or undefined for other expressions. */
function staticText(node: ts.Node): string | undefined {
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return node.head.text + node.templateSpans.map((s) => s.literal.text).join("");
  if (ts.isConditionalExpression(node)) {
    const a = staticText(node.whenTrue);
    const b = staticText(node.whenFalse);
    return a !== undefined && b !== undefined ? `${a}${b}` : undefined;
  }
  return undefined;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("messages in the caller's language", () => {
  it("every error of the registry has a zh-CN and an en-US text, with the same placeholders", () => {
    for (const [key, def] of Object.entries(apiErrors)) {
      const texts = def.message as Record<string, unknown>;
      for (const language of LANGUAGES) {
        const text = texts[language];
        assert.equal(typeof text, "string", `${key} lacks ${language}`);
        assert.ok((text as string).trim().length > 0, `${key}: empty ${language} text`);
      }
      assert.deepEqual(Object.keys(texts).sort(), [...LANGUAGES].sort(), `${key}: unknown languages`);
      assert.deepEqual(
        placeholders(texts["zh-CN"] as string),
        placeholders(texts["en-US"] as string),
        `${key}: the two texts fill in different placeholders`,
      );
      assert.ok(!/[\u4e00-\u9fff]/.test(texts["en-US"] as string), `${key}: Chinese in the en-US text`);
    }
  });

  it("a message built for one request has both languages: no English-only form, each text in its language", () => {
    // @ts-expect-error An ApiError takes no English-only `message`: its texts come in both languages.
    new ApiError("INVALID_REQUEST", { message: "English only" });
    const problems: string[] = [];
    for (const file of sourceFiles()) {
      const text = fs.readFileSync(file, "utf8");
      if (!MAY_HOLD_TEXTS.test(text)) continue;
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
      const where = (node: ts.Node) =>
        `${path.relative(SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
      const check = (zh: ts.Node | undefined, en: ts.Node | undefined, at: ts.Node) => {
        const zhText = zh && staticText(zh);
        const enText = en && staticText(en);
        if (zhText !== undefined && !CJK.test(zhText))
          problems.push(`${where(at)}: zh-CN text without Chinese`);
        if (enText !== undefined && CJK.test(enText))
          problems.push(`${where(at)}: Chinese in the en-US text`);
      };
      const visit = (node: ts.Node) => {
        // bilingual(zh, en) and the helpers that take the same pair.
        if (
          ts.isCallExpression(node) &&
          ts.isIdentifier(node.expression) &&
          PAIR_HELPERS.has(node.expression.text) &&
          node.arguments.length === 2
        ) {
          check(node.arguments[0], node.arguments[1], node);
        }
        // { "zh-CN": …, "en-US": … } written out.
        if (ts.isObjectLiteralExpression(node)) {
          const prop = (name: string) =>
            node.properties.find(
              (p): p is ts.PropertyAssignment =>
                ts.isPropertyAssignment(p) && ts.isStringLiteral(p.name) && p.name.text === name,
            )?.initializer;
          if (prop("zh-CN") || prop("en-US")) check(prop("zh-CN"), prop("en-US"), node);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    assert.deepEqual(problems, []);
  });

  it("errorText fills in the placeholders: GenAuth's format error", () => {
    assert.equal(errorText("PARAM_MALFORMED", "zh-CN", { field: "email" }), "参数 email 格式错误");
    assert.equal(
      errorText("PARAM_MALFORMED", "en-US", { field: "email" }),
      "The email parameter is malformed",
    );
  });

  it("language tags: exact, by primary subtag, or none", () => {
    assert.equal(asLanguage("zh-CN"), "zh-CN");
    assert.equal(asLanguage("ZH-cn"), "zh-CN");
    assert.equal(asLanguage("zh-TW"), "zh-CN");
    assert.equal(asLanguage("en"), "en-US");
    assert.equal(asLanguage("en-GB"), "en-US");
    assert.equal(asLanguage("ja-JP"), undefined);
    assert.equal(asLanguage(""), undefined);
  });

  it("Accept-Language: the first language spoken here, by weight", () => {
    assert.equal(fromAcceptLanguage("fr-FR, zh-CN;q=0.8, en;q=0.9"), "en-US");
    assert.equal(fromAcceptLanguage("en;q=0, zh"), "zh-CN");
    assert.equal(fromAcceptLanguage("fr, de"), undefined);
    assert.equal(fromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8"), "zh-CN");
    assert.equal(fromAcceptLanguage(undefined), undefined);
  });

  it("x-authing-lang, then Accept-Language, then the pool's default, then English", () => {
    assert.equal(
      pickLanguage({ xAuthingLang: "en-US", acceptLanguage: "zh", poolDefault: "zh-CN" }),
      "en-US",
    );
    assert.equal(pickLanguage({ xAuthingLang: "xx", acceptLanguage: "zh", poolDefault: "en-US" }), "zh-CN");
    assert.equal(pickLanguage({ acceptLanguage: "fr", poolDefault: "zh-CN" }), "zh-CN");
    assert.equal(pickLanguage({}), "en-US");
  });
});

describe("validation messages a person can read", () => {
  const ajv = new Ajv.default({ allErrors: false, strict: false });
  const schema = {
    type: "object",
    required: ["userId"],
    additionalProperties: false,
    properties: {
      userId: { type: "string", minLength: 1 },
      gender: { anyOf: [{ const: "M" }, { const: "F" }, { const: "U" }] },
      status: { enum: ["Activated", "Suspended"] },
      email: { type: "string", format: "email" },
      name: { type: "string", maxLength: 3 },
      userIds: { type: "array", minItems: 1, maxItems: 2, items: { type: "string" } },
      options: {
        type: "object",
        properties: {
          pagination: { type: "object", properties: { limit: { type: "integer", maximum: 50 } } },
        },
      },
    },
  };
  const validate = ajv.compile(schema);
  const texts = (data: unknown) => {
    assert.equal(validate(data), false);
    return validationTexts(validate.errors ?? [], "body");
  };

  const cases: [string, unknown, string, string][] = [
    ["a missing field", {}, "userId is required", "缺少参数 userId"],
    ["an empty string", { userId: "" }, "userId must not be empty", "userId 不能为空"],
    [
      "a union of constants",
      { userId: "u", gender: "X" },
      "gender must be one of M, F, U",
      "参数 gender 格式错误",
    ],
    [
      "an enum",
      { userId: "u", status: "x" },
      "status must be one of Activated, Suspended",
      "参数 status 格式错误",
    ],
    ["a wrong type", { userId: 1 }, "userId must be a string", "参数 userId 格式错误"],
    [
      "too long",
      { userId: "u", name: "abcd" },
      "name must be at most 3 characters",
      "name 长度不能超过 3 个字符",
    ],
    ["an empty array", { userId: "u", userIds: [] }, "userIds must not be empty", "userIds 不能为空"],
    [
      "too many items",
      { userId: "u", userIds: ["a", "b", "c"] },
      "userIds must have at most 2 items",
      "userIds 最多 2 项",
    ],
    [
      "an array item",
      { userId: "u", userIds: [1] },
      "userIds[0] must be a string",
      "参数 userIds[0] 格式错误",
    ],
    [
      "GenAuth's own limit text",
      { userId: "u", options: { pagination: { limit: 51 } } },
      "limit must less than 50",
      "limit 不能大于 50",
    ],
    ["an unknown field", { userId: "u", extra: 1 }, "extra is not accepted here", "不支持参数 extra"],
  ];
  for (const [what, data, en, zh] of cases) {
    it(`${what}: "${en}" / "${zh}"`, () => {
      assert.deepEqual(texts(data), { "en-US": en, "zh-CN": zh });
    });
  }

  it("the whole path of the field comes apart, only when the message's name leaves it open", () => {
    const field = (data: unknown) => {
      assert.equal(validate(data), false);
      return validationField(validate.errors ?? [], "body");
    };
    assert.equal(field({ userId: "u", options: { pagination: { limit: 51 } } }), "options.pagination.limit");
    assert.equal(field({ userId: "u", options: { pagination: "x" } }), "options.pagination");
    assert.equal(field({ userId: "u", gender: "X" }), undefined);
    assert.equal(field({}), undefined);
    assert.equal(field({ userId: "u", userIds: [1] }), undefined, "userIds[0] is already whole");
  });
});
