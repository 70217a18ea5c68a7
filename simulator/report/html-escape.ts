/* Escaping for the HTML report: every piece of recorded text is untrusted (the agent wrote it). */

/** Text safe in HTML element content and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

/** A percentage for inline `left`/`width` styles: finite, clamped to 0–100, at most 3 decimals. */
export function pct(value: number): string {
  const v = Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
  return `${Math.round(v * 1000) / 1000}%`;
}
