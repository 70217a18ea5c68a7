import { EXIT, type CliCommand, type CliIo } from './cli-command.ts';
import { COMMANDS } from './commands.ts';

/** The top-level help text listing every command of `commands`. */
export function cliUsage(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: relaysim <command> [options]

Deterministic simulation test kit for Twilio ConversationRelay voice agents.

Commands:
${list}

Run 'relaysim <command> --help' for a command's options.
Exit codes: 0 success, 1 failure, 2 usage error.`;
}

/**
 * Dispatches `argv` (the arguments after the program name) to a command from `commands`.
 * Never touches the process: the caller passes argv and io and applies the exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(`${cliUsage(commands)}\n`);
    return EXIT.USAGE;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const target = first === 'help' ? rest[0] : undefined;
    const command = target === undefined ? undefined : commands.find((c) => c.name === target);
    if (target !== undefined && !command) {
      io.stderr.write(`relaysim: unknown command '${target}'\n\n${cliUsage(commands)}\n`);
      return EXIT.USAGE;
    }
    io.stdout.write(`${command ? command.usage : cliUsage(commands)}\n`);
    return EXIT.OK;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.stderr.write(`relaysim: unknown ${first.startsWith('-') ? 'option' : 'command'} '${first}'\n\n${cliUsage(commands)}\n`);
    return EXIT.USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    io.stderr.write(`relaysim ${command.name}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.FAIL;
  }
}
