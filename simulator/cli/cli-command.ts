/** Somewhere text goes (process.stdout in production, a buffer in tests). */
export interface CliWriter {
  write(chunk: string): unknown;
  /** True when the text goes to a terminal (progress lines are then redrawn in place). */
  readonly isTTY?: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

/** What only the entry point knows: where the kit's own files are (simulator code never imports agent code). */
export interface CliDefaults {
  /** URL of the module `relaysim run` embeds when no agent is named (the reference agent's `agent/embed.ts`). */
  readonly agentModuleUrl?: string;
  /** The kit's scenario library folder, used when `relaysim run` is given no scenario paths. */
  readonly scenarioDir?: string;
}

/** Everything a command may touch of its process, injected so tests run commands in-process. */
export interface CliIo {
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
  readonly stdin: AsyncIterable<Uint8Array | string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Defaults computed by the entry point from its own location. */
  readonly defaults?: CliDefaults;
  /** Aborted on SIGINT: long-running commands (`run`, `serve`) stop cleanly. */
  readonly signal?: AbortSignal;
}

/** Exit codes shared by every command. */
export const EXIT = {
  /** Success (warnings allowed unless --strict). */
  OK: 0,
  /** The input failed: an error-severity finding, a failed check, a crash. */
  FAIL: 1,
  /** Bad usage: unknown command or option, missing argument, unreadable input file. */
  USAGE: 2,
  /** Stopped by SIGINT (128 + 2, the shell convention). */
  INTERRUPTED: 130,
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
