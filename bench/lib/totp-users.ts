import { Secret, TOTP } from "otpauth";

/** RFC 6238 as Gatehouse checks it (docs/mfa.md §TOTP): SHA-1, 6 digits, 30-second steps. */
const PERIOD_S = 30;

export const stepAt = (ms: number) => Math.floor(ms / 1000 / PERIOD_S);

/**
 * The users of a TOTP load, for the load generator. Gatehouse accepts a user's code once per time
 * step (a code of a step at or before the last one accepted is refused), so a user is handed out
 * at most once per step and never while its request is in flight: `take` gives the free user
 * that was sent longest ago if its last code was of an earlier step, `code` makes that user's
 * code for the step of the moment it is sent, and `release` puts the user back once answered.
 */
export class TotpUsers {
  private readonly totps: (TOTP | undefined)[];
  private readonly lastStep: Float64Array;
  /** Free users, oldest first: a ring of user indexes (each user is in it at most once). */
  private readonly ring: Int32Array;
  private head = 0;
  private size: number;

  constructor(
    private readonly secrets: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    this.totps = new Array(secrets.length);
    this.lastStep = new Float64Array(secrets.length).fill(-1);
    this.ring = Int32Array.from(secrets.keys());
    this.size = secrets.length;
  }

  /** A free user whose step is not spent, or undefined when every free user has had this step. */
  take(): number | undefined {
    const step = stepAt(this.now());
    // Answers come back in about the order users were sent, so the oldest is nearly always
    // usable; the rest of the ring is looked at only when it is not.
    for (let looked = 0; looked < this.size; looked++) {
      const user = this.ring[this.head]!;
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
      if (this.lastStep[user]! < step) return user;
      this.release(user);
    }
    return undefined;
  }

  /** The user's code now, spending the current step for that user. */
  code(user: number): string {
    const now = this.now();
    this.lastStep[user] = stepAt(now);
    this.totps[user] ??= new TOTP({
      algorithm: "SHA1",
      digits: 6,
      period: PERIOD_S,
      secret: Secret.fromBase32(this.secrets[user]!),
    });
    return this.totps[user].generate({ timestamp: now });
  }

  /** The user's request was answered: it may be taken again (from its next step on). */
  release(user: number): void {
    this.ring[(this.head + this.size) % this.ring.length] = user;
    this.size++;
  }
}
