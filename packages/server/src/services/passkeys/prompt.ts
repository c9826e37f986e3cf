import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { PasskeyOwner } from "./registration.js";

/** "Not now" hides the prompt for this long; the next password sign-in after it asks again. */
export const PROMPT_SNOOZE_MS = 30 * 86_400_000;

export type PromptAnswer = "later" | "never";

/**
 * The "add a passkey" prompt after a password sign-in (docs/passkeys.md §The prompt): whether it is
 * due for a user, and their answer to it, remembered per user (not per browser: a person who said
 * "don't ask again" is not asked on their next laptop either).
 */
export function createPrompt({ repos, clock }: { repos: Repositories; clock: Clock }) {
  return {
    /** Due: the user has no passkey, never said "don't ask again", and no "not now" is running. */
    async due(owner: Omit<PasskeyOwner, "origin">): Promise<boolean> {
      const [count, answer] = await Promise.all([
        repos.webauthn.countUserCredentials(owner.poolId, owner.userId),
        repos.webauthn.findPasskeyPrompt(owner.poolId, owner.userId),
      ]);
      if (count > 0 || answer?.never === 1) return false;
      return answer?.snoozed_until == null || Number(answer.snoozed_until) <= clock.now();
    },

    async answer(owner: Omit<PasskeyOwner, "origin">, answer: PromptAnswer): Promise<void> {
      const now = clock.now();
      await repos.webauthn.setPasskeyPrompt({
        user_id: owner.userId,
        pool_id: owner.poolId,
        snoozed_until: answer === "later" ? now + PROMPT_SNOOZE_MS : null,
        never: answer === "never" ? 1 : 0,
        updated_at: now,
      });
    },
  };
}
export type PasskeyPrompt = ReturnType<typeof createPrompt>;
