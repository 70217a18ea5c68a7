#!/usr/bin/env node
// The only simulator entry point allowed to touch the process (argv, stdio, env, cwd, signals, exit code).
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.ts';

// The kit's own files, found from this file's location so `npx relaysim run` works from any folder.
// The reference agent is named by URL and loaded with import() by the embedded target: simulator
// code never imports agent code.
const agentModuleUrl = new URL('../../agent/embed.ts', import.meta.url).href;
const scenarioDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

// The first Ctrl-C becomes `io.signal`: long-running commands (run, serve, race, load) stop cleanly,
// closing the agents and fakes they started. A second one gets Node's default behaviour and ends
// the process at once (also the way out of a short command that does not watch the signal).
const argv = process.argv.slice(2);
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort(new Error('SIGINT')));

const code = await runCli(argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  defaults: { agentModuleUrl, scenarioDir },
  signal: interrupt.signal,
});
process.exitCode = code;
// An embedded agent's or fake's stray handle must not keep a finished run alive; the timer itself
// does not hold the process open, so a clean exit happens as soon as the output is flushed.
setTimeout(() => process.exit(code), 3_000).unref();
