import { onTestFinished } from 'vitest';
import { buildFakeCoval, type FakeCoval } from '../../../simulator/coval/fake-coval.ts';
import type { FakeCovalOptions } from '../../../simulator/coval/fake-coval-options.ts';
import { encodeOtlpJson } from '../../../simulator/otlp/encode-json.ts';
import { covalCall } from '../../support/otlp-fixtures.ts';

/** The fakes' default API key. */
export const KEY = 'relaysim-coval-key';
/** A simulation id the helpers issue. */
export const SIM = 'c0ffee00-0000-4000-8000-000000000001';
/** Headers of a valid JSON export for {@link SIM}. */
export const JSON_HEADERS = { 'content-type': 'application/json', 'x-api-key': KEY, 'x-simulation-id': SIM } as const;
/** The clean call as OTLP/JSON text. */
export const CLEAN_JSON = encodeOtlpJson(covalCall());

/** A fake Coval that closes after the test, with {@link SIM} issued. */
export function fakeCoval(options: FakeCovalOptions = {}): FakeCoval {
  const fake = buildFakeCoval(options);
  onTestFinished(() => fake.app.close());
  fake.issue(SIM);
  return fake;
}

/** Listens on an ephemeral loopback port; returns the base URL. */
export async function listen(fake: FakeCoval): Promise<string> {
  return fake.app.listen({ port: 0, host: '127.0.0.1' });
}
