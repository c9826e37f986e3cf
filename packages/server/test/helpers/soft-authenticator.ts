import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

/**
 * A software authenticator for server-side tests: one P-256 passkey, "none" attestation, made and
 * used the way a browser and a platform authenticator would (WebAuthn Level 3 §6.1, §6.5). The
 * browser tests use Chromium's virtual authenticator instead.
 */
const b64url = (b: Uint8Array | Buffer) => Buffer.from(b).toString("base64url");
const sha256 = (b: Uint8Array | Buffer | string) => createHash("sha256").update(b).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface SoftOptions {
  /** Answer with user verification (a PIN or biometric); default true. */
  userVerified?: boolean;
  /** A synced passkey: backup eligible and backed up, counter always 0. */
  synced?: boolean;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  readonly aaguid = Buffer.from("00112233445566778899aabbccddeeff", "hex");
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  counter = 0;
  userHandle = "";

  constructor(private readonly options: SoftOptions = {}) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.privateKey = privateKey;
    this.publicJwk = publicKey.export({ format: "jwk" }) as { x: string; y: string };
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private flags(extra = 0): number {
    let f = FLAG_UP | extra;
    if (this.options.userVerified !== false) f |= FLAG_UV;
    if (this.options.synced) f |= FLAG_BE | FLAG_BS;
    return f;
  }

  private authData(rpId: string, flags: number, counter: number, attested?: Uint8Array): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  /** `navigator.credentials.create()` → `PublicKeyCredential.toJSON()`. */
  create(
    options: { challenge: string; rp: { id?: string }; user: { id: string } },
    origin: string,
    rpId = options.rp.id ?? new URL(origin).hostname,
  ) {
    this.userHandle = options.user.id;
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(this.publicJwk.x, "base64url"))],
      [-3, new Uint8Array(Buffer.from(this.publicJwk.y, "base64url"))],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([
      this.aaguid,
      idLength,
      this.credentialId,
      Buffer.from(isoCBOR.encode(cose)),
    ]);
    const authData = this.authData(rpId, this.flags(FLAG_AT), this.counter, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", new Uint8Array(authData)],
      ]) as never,
    );
    const clientData = JSON.stringify({
      type: "webauthn.create",
      challenge: options.challenge,
      origin,
      crossOrigin: false,
    });
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      response: {
        clientDataJSON: b64url(Buffer.from(clientData)),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** `navigator.credentials.get()` → `PublicKeyCredential.toJSON()`; the counter moves (unless synced). */
  get(
    options: { challenge: string; rpId?: string },
    origin: string,
    rpId = options.rpId ?? new URL(origin).hostname,
  ) {
    if (!this.options.synced) this.counter += 1;
    const authData = this.authData(rpId, this.flags(), this.options.synced ? 0 : this.counter);
    const clientData = Buffer.from(
      JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin, crossOrigin: false }),
    );
    const signature = sign("sha256", Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      response: {
        authenticatorData: b64url(authData),
        clientDataJSON: b64url(clientData),
        signature: b64url(signature),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
