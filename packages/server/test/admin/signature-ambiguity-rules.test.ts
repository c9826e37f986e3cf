import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kind, Type } from "@sinclair/typebox";
import { paramShape, signedRequestAmbiguity } from "../../src/services/admin/management-signature.js";

/**
 * The rules that refuse a signed request whose canonical string reads as another request of the
 * same endpoint (docs/wire-contract.md §1.4.2, ambiguous canonical strings), one edge at a time,
 * with the exact reason each gives. signature-ambiguity.test.ts sends such requests end to end.
 */
const schema = Type.Object({
  userId: Type.String(),
  nickname: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  age: Type.Optional(Type.Integer()),
  metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
  tags: Type.Optional(Type.Array(Type.String())),
});
const shape = paramShape(schema);
const anything = paramShape(undefined);
/** "No schema" for `post` and `get`: `undefined` would select their default, the schema above. */
const NO_SCHEMA = null;
const post = (body: unknown, s: unknown = schema) =>
  signedRequestAmbiguity({ method: "POST", url: "/api/v3/x", headers: {}, body }, s)?.en;
const get = (query: string, s: unknown = schema) =>
  signedRequestAmbiguity({ method: "GET", url: `/api/v3/x?${query}`, headers: {}, body: undefined }, s)?.en;

describe("management signature: the ambiguity rules", () => {
  it("a schema's parameters are its property names, and each takes what its schema takes", () => {
    assert.equal(shape.isParam("nickname"), true);
    assert.equal(shape.isParam("password"), false);
    assert.equal(shape.accepts("nickname", null), true);
    assert.equal(shape.accepts("age", 12), true);
    assert.equal(shape.accepts("age", "12"), false);
    assert.equal(shape.accepts("password", "x"), false, "a name the schema lacks takes nothing");
    assert.equal(shape.accepts("toString", "x"), false, "nor does an inherited name");
  });

  it("a parameter whose schema the checker cannot read takes nothing", () => {
    const odd = paramShape({ properties: { x: { [Kind]: "NoSuchKind" } } });
    assert.equal(odd.isParam("x"), true);
    assert.equal(odd.accepts("x", "anything"), false);
  });

  it("without a schema every identifier-shaped name is a parameter, taking any value", () => {
    for (const name of ["a", "userId", "_x", "$x", "a1", "a_b$2"])
      assert.equal(anything.isParam(name), true, name);
    for (const name of ["", "1a", "a-b", "a b", "a.b", "-"])
      assert.equal(anything.isParam(name), false, name);
    assert.equal(anything.accepts("whatever", null), true);
  });

  it("a key holding & or = is refused, unless its value is undefined (the SDK skips it)", () => {
    assert.equal(post({ "a&b": "v" }), 'the parameter name "a&b" holds "&" or "="');
    assert.equal(post({ "a=b": 1 }), 'the parameter name "a=b" holds "&" or "="');
    assert.equal(post({ "a&b": undefined, userId: "u" }), undefined);
  });

  it("a value holding &name= of a parameter is refused, wherever it sits and however long the name", () => {
    assert.equal(
      post({ nickname: "x&userId=1" }),
      'the value of nickname holds "&userId=", which reads as another parameter',
    );
    assert.equal(
      post({ nickname: "&age=" }),
      'the value of nickname holds "&age=", which reads as another parameter',
    );
    assert.equal(
      post({ nickname: "a&b=1&nickname=2" }),
      'the value of nickname holds "&nickname=", which reads as another parameter',
      "a first match that names no parameter does not end the scan",
    );
    assert.equal(post({ nickname: "x&password=1" }), undefined, "a name the endpoint does not read");
    assert.equal(post({ nickname: "x&&=1" }), undefined);
  });

  it("an object or array value is read as the JSON the SDK prints", () => {
    assert.equal(
      post({ metadata: { note: "x&userId=1" } }),
      'the value of metadata holds "&userId=", which reads as another parameter',
    );
    assert.equal(
      post({ tags: ["a&age=2"] }),
      'the value of tags holds "&age=", which reads as another parameter',
    );
    assert.equal(post({ metadata: { note: "plain" }, tags: ["a"] }), undefined);
  });

  it("a string printed like a value of another type the parameter takes is refused, and says which type", () => {
    assert.equal(
      post({ nickname: "null" }),
      'the value of nickname is the string "null", which signs exactly like the null it spells',
    );
    assert.equal(
      post({ age: "12" }),
      'the value of age is the string "12", which signs exactly like the number it spells',
    );
    assert.equal(
      post({ metadata: '{"a":1}' }),
      'the value of metadata is the string "{\\"a\\":1}", which signs exactly like the object it spells',
    );
  });

  it("strings no other value prints as, or that the parameter takes only as strings, pass", () => {
    assert.equal(post({ nickname: "12" }), undefined, "nickname takes no number");
    assert.equal(post({ age: "1e2" }), undefined, "100 prints as 100, not 1e2");
    assert.equal(post({ nickname: " null" }), undefined, "null prints without the space");
    assert.equal(post({ nickname: '"null"' }), undefined, "a JSON string is a string already");
    assert.equal(post({ x: "undefined" }, NO_SCHEMA), undefined, "undefined is no JSON value");
    assert.equal(post({ x: "{not json}" }, NO_SCHEMA), undefined);
    assert.equal(post({ x: "plain" }, NO_SCHEMA), undefined);
  });

  it("GET: query values are untyped, so only the & and = rules apply", () => {
    assert.equal(get("age=12&nickname=null"), undefined);
    assert.equal(get("x=null&y=1", NO_SCHEMA), undefined);
    assert.equal(
      get(`userId=${encodeURIComponent("u&age=1")}`),
      'the value of userId holds "&age=", which reads as another parameter',
    );
    assert.equal(
      signedRequestAmbiguity(
        { method: "get", url: "/api/v3/x?userId=u%26age%3D1", headers: {}, body: { nickname: "null" } },
        schema,
      )?.en,
      'the value of userId holds "&age=", which reads as another parameter',
      "the method is matched in any case, and a GET reads its query, never a body",
    );
  });

  it("a body that is not a JSON object has no parameters to confuse", () => {
    assert.equal(post(null), undefined);
    assert.equal(post(undefined), undefined);
    assert.equal(post("1", NO_SCHEMA), undefined);
    assert.equal(post(["x&userId=1"]), undefined);
    assert.equal(post([1], NO_SCHEMA), undefined);
    assert.equal(
      signedRequestAmbiguity(
        { method: "POST", url: "/api/v3/x?nickname=a%26age%3D1", headers: {}, body: {} },
        schema,
      )?.en,
      undefined,
      "a POST reads its body, never its query",
    );
  });
});
