/** A start-up that cannot go on (no GPIO, a port in use…): one clear line and an exit code for systemd. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
