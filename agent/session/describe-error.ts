/**
 * How a session turns a thrown value into a log field or call-log error: bounded, because an LLM
 * or tool error can carry a whole response body.
 */

/** Longest LLM or tool error message kept in the call log. */
export const MAX_ERROR_CHARS = 500;

/** A one-line description of `err` (name, HTTP status when present, message), cut at {@link MAX_ERROR_CHARS}. */
export function describeError(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    const status = (err as { status?: unknown }).status;
    text = `${err.name}${typeof status === 'number' ? ` ${status}` : ''}: ${err.message}`;
  } else {
    text = String(err);
  }
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
