/** Where the admin commands write; tests swap these to run commands in-process. */
export const io = {
  out(text: string): void {
    process.stdout.write(text);
  },
  err(text: string): void {
    process.stderr.write(text);
  },
  errIsTTY(): boolean {
    return process.stderr.isTTY === true;
  },
  /** The command did not fully succeed (e.g. some import rows were rejected). */
  fail(): void {
    process.exitCode = 1;
  },
};
