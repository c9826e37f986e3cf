import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatehouseError } from "../src/index.js";
import { clientFor, fresh, lastCode, signedInUser } from "./helpers/accounts.js";
import { liveGatehouse } from "./helpers/gatehouse.js";

describe("user information module against a real Gatehouse", () => {
  const gh = liveGatehouse();
  const code = (target: string, channel: string) => lastCode(gh().h, target, channel);

  it("getProfile and updateProfile act on the signed-in user", async () => {
    const { client, user } = await signedInUser(gh());
    const { data } = await client.getProfile({ withIdentities: true });
    assert.equal(data.userId, user.userId);
    const updated = await client.updateProfile({ nickname: "Nick", gender: "F" });
    assert.equal(updated.data.nickname, "Nick");
    assert.equal((await client.getProfile()).data.gender, "F");
  });

  it("without a signed-in user a profile call throws 401", async () => {
    const err = await clientFor(gh())
      .getProfile()
      .catch((e: unknown) => e);
    assert.ok(err instanceof GatehouseError);
    assert.equal(err.statusCode, 401);
  });

  it("bindPhone then unbindPhone; getSecurityLevel reflects both", async () => {
    const { client } = await signedInUser(gh());
    const { phone } = fresh();
    await client.sendSms({ channel: "CHANNEL_BIND_PHONE", phoneNumber: phone, phoneCountryCode: "+86" });
    await client.bindPhone({
      phoneNumber: phone,
      phoneCountryCode: "+86",
      passCode: code(phone, "CHANNEL_BIND_PHONE"),
    });
    assert.equal((await client.getSecurityLevel()).data.phoneBinded, true);
    await client.sendSms({ channel: "CHANNEL_UNBIND_PHONE", phoneNumber: phone, phoneCountryCode: "+86" });
    await client.unbindPhone({ passCode: code(phone, "CHANNEL_UNBIND_PHONE") });
    assert.equal((await client.getSecurityLevel()).data.phoneBinded, false);
  });

  it("bindEmail then unbindEmail for a user who signed up by phone", async () => {
    const { phone, email } = fresh();
    const client = clientFor(gh());
    await client.sendSms({ channel: "CHANNEL_REGISTER", phoneNumber: phone, phoneCountryCode: "+86" });
    await client.signUpByPhoneCode({
      phone,
      phoneCountryCode: "+86",
      passCode: code(phone, "CHANNEL_REGISTER"),
    });
    await client.sendSms({ channel: "CHANNEL_LOGIN", phoneNumber: phone, phoneCountryCode: "+86" });
    await client.signInByPhonePassCode({
      phone,
      phoneCountryCode: "+86",
      passCode: code(phone, "CHANNEL_LOGIN"),
    });
    await client.sendEmail({ channel: "CHANNEL_BIND_EMAIL", email });
    await client.bindEmail({ email, passCode: code(email, "CHANNEL_BIND_EMAIL") });
    assert.equal((await client.getProfile()).data.email, email);
    await client.sendEmail({ channel: "CHANNEL_UNBIND_EMAIL", email });
    await client.unbindEmail({ passCode: code(email, "CHANNEL_UNBIND_EMAIL") });
    assert.equal((await client.getProfile()).data.email, null);
  });

  it("verifyUpdateEmailRequest + updateEmail change the email", async () => {
    const { client, email: oldEmail } = await signedInUser(gh());
    const { email: newEmail } = fresh();
    await client.sendEmail({ channel: "CHANNEL_UPDATE_EMAIL", email: oldEmail });
    const oldCode = code(oldEmail, "CHANNEL_UPDATE_EMAIL");
    await client.sendEmail({ channel: "CHANNEL_UPDATE_EMAIL", email: newEmail });
    const { data } = await client.verifyUpdateEmailRequest({
      verifyMethod: "EMAIL_PASSCODE",
      emailPassCodePayload: {
        newEmail,
        newEmailPassCode: code(newEmail, "CHANNEL_UPDATE_EMAIL"),
        oldEmail,
        oldEmailPassCode: oldCode,
      },
    });
    assert.equal((await client.updateEmail({ updateEmailToken: data.updateEmailToken })).data.success, true);
    assert.equal((await client.getProfile()).data.email, newEmail);
  });

  it("verifyUpdatePhoneRequest + updatePhone change the phone; a spent token throws", async () => {
    const { client } = await signedInUser(gh());
    const { phone: oldPhone } = fresh();
    const { phone: newPhone } = fresh();
    await client.sendSms({ channel: "CHANNEL_BIND_PHONE", phoneNumber: oldPhone, phoneCountryCode: "+86" });
    await client.bindPhone({
      phoneNumber: oldPhone,
      phoneCountryCode: "+86",
      passCode: code(oldPhone, "CHANNEL_BIND_PHONE"),
    });
    await client.sendSms({ channel: "CHANNEL_UNBIND_PHONE", phoneNumber: oldPhone, phoneCountryCode: "+86" });
    await client.sendSms({ channel: "CHANNEL_BIND_PHONE", phoneNumber: newPhone, phoneCountryCode: "+86" });
    const { data } = await client.verifyUpdatePhoneRequest({
      verifyMethod: "PHONE_PASSCODE",
      phonePassCodePayload: {
        newPhoneNumber: newPhone,
        newPhoneCountryCode: "+86",
        newPhonePassCode: code(newPhone, "CHANNEL_BIND_PHONE"),
        oldPhoneNumber: oldPhone,
        oldPhoneCountryCode: "+86",
        oldPhonePassCode: code(oldPhone, "CHANNEL_UNBIND_PHONE"),
      },
    });
    assert.equal((await client.updatePhone({ updatePhoneToken: data.updatePhoneToken })).data.success, true);
    assert.equal((await client.getProfile()).data.phone, newPhone);
    const again = await client
      .updatePhone({ updatePhoneToken: data.updatePhoneToken })
      .catch((e: unknown) => e);
    assert.ok(again instanceof GatehouseError);
    assert.equal(again.statusCode, 400);
  });

  it("updatePassword (also RSA-encrypted) and validatePassword", async () => {
    const { client, email, password } = await signedInUser(gh());
    await client.updatePassword({ oldPassword: password, newPassword: "N3wPassw0rd!" });
    assert.equal((await client.validatePassword({ email, password: "N3wPassw0rd!" })).data.valid, true);
    assert.equal((await client.validatePassword({ email, password })).data.valid, false);
    const rsa = clientFor(gh(), { passwordEncryptType: "rsa" });
    await rsa.signInByEmailPassword({ email, password: "N3wPassw0rd!" });
    await rsa.updatePassword({ oldPassword: "N3wPassw0rd!", newPassword: "Th1rdPassw0rd!" });
    assert.equal((await rsa.validatePassword({ email, password: "Th1rdPassw0rd!" })).data.valid, true);
  });

  it("verifyResetPasswordRequest + resetPassword without a signed-in user", async () => {
    const { email } = await signedInUser(gh());
    const client = clientFor(gh());
    await client.sendEmail({ channel: "CHANNEL_RESET_PASSWORD", email });
    const { data } = await client.verifyResetPasswordRequest({
      verifyMethod: "EMAIL_PASSCODE",
      emailPassCodePayload: { email, passCode: code(email, "CHANNEL_RESET_PASSWORD") },
    });
    await client.resetPassword({ passwordResetToken: data.passwordResetToken, password: "Res3tPassw0rd!" });
    assert.equal((await client.signInByEmailPassword({ email, password: "Res3tPassw0rd!" })).statusCode, 200);
  });

  it("verifyDeleteAccountRequest + deleteAccount remove the user and forget the tokens", async () => {
    const { client, email, password } = await signedInUser(gh());
    await client.sendEmail({ channel: "CHANNEL_DELETE_ACCOUNT", email });
    const { data } = await client.verifyDeleteAccountRequest({
      verifyMethod: "EMAIL_PASSCODE",
      emailPassCodePayload: { email, passCode: code(email, "CHANNEL_DELETE_ACCOUNT") },
    });
    assert.equal(
      (await client.deleteAccount({ deleteAccountToken: data.deleteAccountToken })).data.success,
      true,
    );
    assert.equal(client.getTokenSet(), undefined);
    await assert.rejects(clientFor(gh()).signInByEmailPassword({ email, password }), GatehouseError);
  });
});
