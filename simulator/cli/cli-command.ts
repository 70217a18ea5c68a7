/** Somewhere text goes (process.stdout in production, a buffer in tests). */
export interface CliWriter {
  write(chunk: string): unknown;
}

/** Everything a command may touch of its process, injected so tests run commands in-process. */
export interface CliIo {
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
  readonly stdin: AsyncIterable<Uint8Array | string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Exit codes shared by every command. */
export const EXIT = {
  /** Success (warnings allowed unless --strict). */
  OK: 0,
  /** The input failed: an error-severity finding, a failed check, a crash. */
  FAIL: 1,
  /** Bad usage: unknown command or option, missing argument, unreadable input file. */
  USAGE: 2,
} as const;

/** One `relaysim <name>` subcommand. */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full usage text printed by `relaysim <name> --help` and on usage errors. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}
