import assert from "node:assert/strict";
import { before, it } from "node:test";
import { ManagementClient } from "authing-node-sdk";
import { describeCompat } from "./helpers.js";

/**
 * Users as GenAuth answers them, through the unmodified ManagementClient: the defaults of a
 * UserDto and the validation GenAuth does (docs/wire-contract.md §3c, docs/behaviour-and-errors.md §3.6).
 */
describeCompat("sdk users as GenAuth answers them", (g) => {
  /** The SDK's default language, zh-CN. */
  let mc: ManagementClient;
  let en: ManagementClient;
  let userId: string;
  const tag = `genauth-${process.pid}`;

  before(async () => {
    const key = { accessKeyId: g().h.boot.userPoolId, accessKeySecret: g().h.boot.userPoolSecret };
    mc = new ManagementClient({ ...key, host: g().url });
    en = new ManagementClient({ ...key, host: g().url, lang: "en-US" } as any);
    const r = await mc.createUser({ username: tag } as any);
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    userId = r.data.userId;
    await mc.setCustomFields({
      list: [{ targetType: "USER", key: "note", dataType: "STRING", label: "Note" }],
    } as any);
  });

  it("getUser: photo is a URL of an image the server serves; unknown fields are null", async () => {
    const r = await mc.getUser({ userId });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    const photo = new URL(r.data.photo as string);
    assert.equal(photo.pathname, "/assets/default-avatar.svg");
    const image = await fetch(`${g().url}${photo.pathname}`);
    assert.equal(image.headers.get("content-type"), "image/svg+xml");
    for (const key of ["email", "phone", "lastLogin", "lastIp", "externalId", "nickname", "city"] as const) {
      assert.equal(r.data[key], null, key);
    }
    const listed = await mc.listUsers({ keywords: tag } as any);
    assert.equal(listed.data.list[0]?.photo, r.data.photo);
  });

  it("createUser/updateUser: a customData value over 1024 characters is refused", async () => {
    const created = await mc.createUser({
      username: `${tag}-long`,
      customData: { note: "x".repeat(1025) },
    } as any);
    assert.equal(created.statusCode, 400, JSON.stringify(created));
    const updated = await en.updateUser({ userId, customData: { note: "x".repeat(1025) } } as any);
    assert.equal(updated.statusCode, 400, JSON.stringify(updated));
    assert.equal(updated.message, "customData must be less than 1024 characters");
    assert.equal(created.message, "customData 长度不能超过 1024 个字符", "zh-CN, the SDK's default");
    const fits = await mc.updateUser({ userId, customData: { note: "x".repeat(1024) } } as any);
    assert.equal(fits.statusCode, 200, JSON.stringify(fits));
  });

  it("createUser/updateUser: phoneCountryCode without phone is refused", async () => {
    const created = await en.createUser({ username: `${tag}-cc`, phoneCountryCode: "+86" } as any);
    assert.equal(created.statusCode, 400, JSON.stringify(created));
    assert.equal(created.message, "phone cannot be empty");
    const updated = await mc.updateUser({ userId, phoneCountryCode: "+86" } as any);
    assert.equal(updated.statusCode, 400, JSON.stringify(updated));
  });

  it("isUserExists with no identifier is a 400, not {exists: false}", async () => {
    const r = await mc.isUserExists({} as any);
    assert.equal(r.statusCode, 400, JSON.stringify(r));
    const known = await mc.isUserExists({ username: tag } as any);
    assert.equal(known.data.exists, true);
  });

  it("listUsers: a filter value outside its field's enum is a 400, not an empty page", async () => {
    const r = await mc.listUsers({
      advancedFilter: [{ field: "status", operator: "EQUAL", value: "invalid" }],
    } as any);
    assert.equal(r.statusCode, 400, JSON.stringify(r));
    assert.equal(r.message, "参数 status 格式错误");
    const english = await en.listUsers({
      advancedFilter: [{ field: "status", operator: "EQUAL", value: "invalid" }],
    } as any);
    assert.equal(
      english.message,
      "advancedFilter status: value must be one of Suspended, Resigned, Activated, Archived, Deactivated",
    );
    const fine = await mc.listUsers({
      advancedFilter: [{ field: "status", operator: "EQUAL", value: "Activated" }],
    } as any);
    assert.equal(fine.statusCode, 200, JSON.stringify(fine));
  });

  it("getUser by email or phone with a value that is neither: a 400 format error, not 404", async () => {
    const email = await mc.getUser({ userId: "not-an-email", userIdType: "email" });
    assert.equal(email.statusCode, 400, JSON.stringify(email));
    assert.equal(email.message, "参数 email 格式错误");
    const emailEn = await en.getUser({ userId: "not-an-email", userIdType: "email" });
    assert.equal(emailEn.message, "The email parameter is malformed");
    const phone = await mc.getUser({ userId: "not-a-phone", userIdType: "phone" });
    assert.equal(phone.statusCode, 400, JSON.stringify(phone));
    const unknown = await mc.getUser({ userId: "nobody@example.com", userIdType: "email" });
    assert.equal(unknown.statusCode, 404);
  });

  it("getUserBatch({userIds: []}): 400, userIds must not be empty (not 401 signature invalid)", async () => {
    const r = await en.getUserBatch({ userIds: [] });
    assert.equal(r.statusCode, 400, JSON.stringify(r));
    assert.equal(r.message, "userIds must not be empty");
  });

  it("validation messages name the field and what is wrong, in the caller's language", async () => {
    const gender = await en.updateUser({ userId, gender: "X" } as any);
    assert.equal(gender.statusCode, 400, JSON.stringify(gender));
    assert.equal(gender.message, "gender must be one of M, F, U");
    const genderZh = await mc.updateUser({ userId, gender: "X" } as any);
    assert.equal(genderZh.message, "参数 gender 格式错误");
    const limit = await en.listUsers({ options: { pagination: { page: 1, limit: 51 } } } as any);
    assert.equal(limit.statusCode, 400, JSON.stringify(limit));
    assert.equal(limit.message, "limit must less than 50");
  });

  it("a nested field's whole path comes beside the message, which stays the same; a top-level field has none", async () => {
    const limit = (await mc.listUsers({ options: { pagination: { page: 1, limit: 51 } } } as any)) as any;
    assert.deepEqual(
      [limit.statusCode, limit.apiCode, limit.message, limit.field, limit.data],
      [400, undefined, "limit 不能大于 50", "options.pagination.limit", undefined],
    );
    const gender = (await mc.updateUser({ userId, gender: "X" } as any)) as any;
    assert.equal(gender.message, "参数 gender 格式错误");
    assert.equal("field" in gender, false, JSON.stringify(gender));
  });

  it("explanations built for one request come in the caller's language too", async () => {
    const zh = await mc.createUser({ username: "a b" } as any);
    const english = await en.createUser({ username: "a b" } as any);
    assert.deepEqual([zh.statusCode, zh.apiCode], [english.statusCode, english.apiCode]);
    assert.equal(zh.message, "用户名只能包含字母、数字、'_'、'.' 和 '-'");
    assert.equal(english.message, "username may hold only letters, digits, '_', '.' and '-'");
  });

  it("statusCode and apiCode never change with the language", async () => {
    const zh = await mc.getUser({ userId: "000000000000000000000000" });
    const english = await en.getUser({ userId: "000000000000000000000000" });
    assert.deepEqual([zh.statusCode, zh.apiCode], [404, 2004]);
    assert.deepEqual([english.statusCode, english.apiCode], [404, 2004]);
    assert.equal(zh.message, "用户不存在");
    assert.equal(english.message, "User does not exist");
  });
});
