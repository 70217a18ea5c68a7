import type { CliCommand } from './cli-command.ts';
import { checkCommand } from './check-command.ts';
import { loadCommand } from './load-command.ts';
import { raceCommand } from './race-command.ts';
import { runCommand } from './run-command.ts';
import { scenariosCommand } from './scenarios-command.ts';
import { serveCommand } from './serve-command.ts';
import { validateCommand } from './validate-command.ts';

/** Every `relaysim` subcommand, in the order `relaysim --help` lists them. Add new commands here. */
export const COMMANDS: readonly CliCommand[] = [runCommand, raceCommand, loadCommand, serveCommand, checkCommand, validateCommand, scenariosCommand];
