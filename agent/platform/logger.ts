/**
 * The logging surface agent code depends on. Fastify's pino logger satisfies it, so a session
 * logs through `request.log.child({ callSid, simulationOutputId })` and every line carries both.
 */
export interface AgentLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): AgentLogger;
}

/** A logger that keeps every line in memory, for tests that assert on what was logged. */
export interface RecordedLogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string | undefined;
  readonly fields: Record<string, unknown>;
}

/** Creates an {@link AgentLogger} that appends to `lines` instead of writing anywhere. */
export function createRecordingLogger(lines: RecordedLogLine[] = [], bindings: Record<string, unknown> = {}): AgentLogger & { readonly lines: RecordedLogLine[] } {
  const write = (level: RecordedLogLine['level']) => (obj: object, msg?: string) => {
    lines.push({ level, msg, fields: { ...bindings, ...obj } });
  };
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => createRecordingLogger(lines, { ...bindings, ...more }),
  };
}
