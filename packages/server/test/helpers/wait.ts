/**
 * Polls `probe` every `intervalMs` until it holds or `timeoutMs` have passed, and says whether it
 * held. The probe runs once more at the deadline, so a condition met just in time passes. Tests
 * wait for the condition they need instead of sleeping for a guessed time: faster when the system
 * is quick, and as strict as the sleep it replaces when it is slow.
 */
export async function waitUntil(
  probe: () => boolean | Promise<boolean>,
  { timeoutMs = 5000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return probe();
}
