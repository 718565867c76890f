/**
 * An error in how sockspec was asked to run (bad flag, bad manifest, a target that
 * cannot be built or started). The CLI prints its message as one line and exits 2,
 * which keeps "the harness could not run" apart from "the target failed" (exit 1).
 */
export class HarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarnessError';
  }
}
