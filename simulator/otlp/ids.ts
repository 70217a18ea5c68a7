import type { OtlpRuleId } from './rules.ts';

/** Outcome of checking one id string. */
export type IdCheck = { readonly ok: true; readonly hex: string } | { readonly ok: false; readonly rule: OtlpRuleId; readonly reason: string };

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 45 || c === 95 || c === 61;
}

/** True when `value` reads as base64 of exactly `bytes` bytes (how proto3 writes bytes by default). */
function looksLikeBase64Id(value: string, bytes: number): boolean {
  const unpadded = Math.ceil((bytes * 4) / 3);
  const padded = Math.ceil(bytes / 3) * 4;
  let body = value;
  if (value.length === padded) body = value.slice(0, unpadded);
  else if (value.length !== unpadded) return false;
  if (value.length === padded && value.slice(unpadded) !== '='.repeat(padded - unpadded)) return false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 61 || !isBase64Char(c)) return false;
  }
  return true;
}

/**
 * Checks a hex id of `bytes` bytes (16 for traces, 8 for spans) and returns it lowercased.
 * A char loop, not a regex: this runs three times per span on the ingest hot path.
 */
export function checkHexId(value: string, bytes: number, what: string): IdCheck {
  const want = bytes * 2;
  let upper = false;
  let nonZero = false;
  let hex = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) nonZero = true;
    } else if (c >= 97 && c <= 102) {
      nonZero = true;
    } else if (c >= 65 && c <= 70) {
      nonZero = true;
      upper = true;
    } else {
      hex = false;
      break;
    }
  }
  if (!hex || value.length !== want) {
    if (!hex && looksLikeBase64Id(value, bytes)) {
      return { ok: false, rule: 'OTLP-ID-BASE64', reason: `${what} '${value}' looks like base64; OTLP/JSON ids are ${want} hex characters (${bytes} bytes)` };
    }
    if (!hex) return { ok: false, rule: 'OTLP-ID-HEX', reason: `${what} '${truncate(value)}' is not a hex string` };
    return { ok: false, rule: 'OTLP-ID-LENGTH', reason: `${what} has ${value.length} hex characters; it must have ${want} (${bytes} bytes)` };
  }
  if (!nonZero) return { ok: false, rule: 'OTLP-ID-ZERO', reason: `${what} is all zero, which marks an invalid id` };
  return { ok: true, hex: upper ? value.toLowerCase() : value };
}

/** Checks raw id bytes (protobuf) and returns them as lowercase hex. */
export function checkIdBytes(value: Uint8Array, bytes: number, what: string): IdCheck {
  if (value.length !== bytes) {
    return { ok: false, rule: 'OTLP-ID-LENGTH', reason: `${what} has ${value.length} bytes; it must have ${bytes}` };
  }
  let nonZero = false;
  for (let i = 0; i < value.length; i++) if (value[i] !== 0) nonZero = true;
  if (!nonZero) return { ok: false, rule: 'OTLP-ID-ZERO', reason: `${what} is all zero, which marks an invalid id` };
  return { ok: true, hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
}

function truncate(value: string): string {
  return value.length > 48 ? `${value.slice(0, 48)}…` : value;
}

/** Hex string to bytes (caller guarantees an even-length hex string). */
export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
