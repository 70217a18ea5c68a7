import { DEFAULT_CONCURRENCY, DEFAULT_SPAWN_CONCURRENCY, DEFAULT_FAKE_PORTS, DEFAULT_REPORT_DIR, DEFAULT_SEED, DEFAULT_START_TIMEOUT_S } from './run-options.ts';

/** `relaysim run --help`. */
export const RUN_USAGE = `Usage: relaysim run [scenario files or folders...] [options]

Runs scenarios against a voice agent with fake Twilio, Coval and OpenAI, judges every call with
the check catalogue, prints a console report and writes JSON, JUnit and HTML reports.
With no options: the reference agent in-process, the whole scenario library.

Agent (pick one; default: the reference agent, embedded):
  --spawn "CMD"            Start the agent with this shell command for the run (per environment
                           a scenario needs) with PORT, PUBLIC_URL, OPENAI_BASE_URL, OPENAI_API_KEY,
                           COVAL_TRACES_URL, COVAL_API_KEY, TWILIO_AUTH_TOKEN set; wait for its
                           health path; stop it afterwards.
  --agent-url URL          Drive an agent that is already running. The fakes listen on fixed
                           ports; start the agent with the environment 'relaysim serve --print-env'
                           prints. Scenarios that need their own agent environment are skipped.
  --agent-module FILE      Embed a Node agent module exporting startEmbeddedAgent({env}).
  --agent-env NAME=VALUE   Extra variable for a started agent (repeatable; not with --agent-url).
  --public-url URL         --agent-url: the agent's PUBLIC_URL (default: URL with https).
  --openai-port N          --agent-url: the fake OpenAI's port (default ${DEFAULT_FAKE_PORTS.openai}).
  --coval-port N           --agent-url: the fake Coval's port (default ${DEFAULT_FAKE_PORTS.coval}).
  --webhook-path PATH      The voice webhook (default /webhook).
  --register-path PATH     Coval's pre-call webhook (default /register-simulation).
  --health-path PATH       Liveness, any answer below 500 (default /health).
  --ws-path PATH           The relay path the TwiML must name; a warning when it names another
                           (the kit, like Twilio, connects to the URL the TwiML gives).
  --start-timeout S        Seconds a started agent may take to answer its health path (default ${DEFAULT_START_TIMEOUT_S}).

Scenarios:
  -s, --scenario ID|GLOB   Only scenarios whose id matches (repeatable; * and ? wildcards).
  -t, --tag TAG            Only scenarios with this tag (repeatable).
  --seed N                 The run's seed, 0 to 4294967295 (default ${DEFAULT_SEED}).
  --repeat N               Run N seeds: N, N+1, ... from --seed (default 1).
  -j, --concurrency N      Scenarios at once, each on its own agent (default ${DEFAULT_CONCURRENCY}; ${DEFAULT_SPAWN_CONCURRENCY} with --spawn; 1 with --agent-url).
  --check-determinism      Run every seed twice on fresh agents and fail on any difference
                           between the normalised RunRecords or the verdicts.
  --strict                 SHOULD checks that warn fail the run.

Reports:
  --report-dir DIR         Folder for report.json, junit.xml and index.html (default ./${DEFAULT_REPORT_DIR}).
  --json FILE              The JSON report here instead.
  --junit FILE             The JUnit XML report here instead.
  --html DIR               The HTML report (DIR/index.html) here instead.
  --no-report              Write no report files.
  -v, --verbose            Console: every check of every scenario.

Other:
  --list-checks            Print the check catalogue and exit.
  --list-scenarios         Print the selected scenarios and exit.
  -h, --help               Show this help.

Every failure prints a replay command (seed, scenario, agent). Details: docs/cli.md.
Exit codes: 0 pass, 1 a scenario failed or errored (or a determinism difference),
2 usage or configuration error, 130 interrupted.`;
