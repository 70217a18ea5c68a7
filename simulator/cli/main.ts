#!/usr/bin/env node
// The only simulator entry point allowed to touch the process (argv, stdio, env, cwd, exit code).
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
