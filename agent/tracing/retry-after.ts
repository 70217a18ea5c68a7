const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 9110 §5.6.7: recipients must accept all three HTTP-date forms.
const IMF_FIXDATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utc(day: string, month: string, year: number, h: string, m: string, s: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  const d = Number(day.trim());
  const [hh, mm, ss] = [Number(h), Number(m), Number(s)];
  if (monthIndex < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  return Date.UTC(year, monthIndex, d, hh, mm, ss);
}

/** Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime) to epoch ms; undefined if it is not one. */
export function parseHttpDate(value: string): number | undefined {
  const text = value.trim();
  let match = IMF_FIXDATE.exec(text);
  if (match) return utc(match[1]!, match[2]!, Number(match[3]), match[4]!, match[5]!, match[6]!);
  match = RFC850_DATE.exec(text);
  if (match) {
    // Two-digit years: read as the most recent matching year, as RFC 9110 advises.
    const yy = Number(match[3]);
    return utc(match[1]!, match[2]!, yy < 70 ? 2000 + yy : 1900 + yy, match[4]!, match[5]!, match[6]!);
  }
  match = ASCTIME_DATE.exec(text);
  if (match) return utc(match[2]!, match[1]!, Number(match[6]), match[3]!, match[4]!, match[5]!);
  return undefined;
}

/**
 * Turns a `Retry-After` header (delta-seconds or HTTP-date) into a wait in milliseconds relative to
 * `nowEpochMs`; a date in the past gives 0, a missing or unparseable header gives undefined.
 */
export function parseRetryAfterMs(header: string | null | undefined, nowEpochMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = parseHttpDate(text);
  return at === undefined ? undefined : Math.max(0, at - nowEpochMs);
}
