/**
 * Model-based test of the simulation-id registry (architecture §5): random command sequences run
 * against the real registry and against a deliberately plain model of the intended semantics.
 * Every result must match the model exactly, for each strategy and each store.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ManualClock } from '../../agent/platform/manual-clock.ts';
import { CORRELATION_STRATEGIES, type CorrelationStrategy, type RegistryStore } from '../../agent/registry/registry-types.ts';
import { SimulationRegistry } from '../../agent/registry/simulation-registry.ts';
import { fcOptions } from '../support/fc-config.ts';
import { storesUnderTest } from '../support/registry-stores.ts';

const TTL = 1_000;
const CAPACITY = 4;
const IDS = ['s0', 's1', 's2', 's3', 's4', 's5', 's6'];
const NUMBERS = ['+15550000001', '+15550000002', '+15550000003'];
const UNKNOWN_NUMBER = '+15559999999';

interface ModelEntry { id: string; from: string | undefined; at: number }
interface Model { strategy: CorrelationStrategy; now: number; pending: ModelEntry[]; claimed: { id: string; at: number }[] }
interface Real { registry: SimulationRegistry; clock: ManualClock }

/** Drops expired entries and forgotten claims; returns how many pending entries expired. */
function purge(m: Model): number {
  const before = m.pending.length;
  m.pending = m.pending.filter((e) => m.now - e.at <= TTL);
  m.claimed = m.claimed.filter((c) => m.now - c.at <= TTL);
  return before - m.pending.length;
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: registry returned ${a}, model expected ${e}`);
}

class RegisterCommand implements fc.AsyncCommand<Model, Real> {
  readonly id: string;
  readonly from: string | undefined;
  constructor(id: string, from: string | undefined) {
    this.id = id;
    this.from = from;
  }
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const actual = await r.registry.register({ simulationOutputId: this.id, fromNumber: this.from });
    const evicted = purge(m);
    let expected: object;
    if (m.pending.some((e) => e.id === this.id) || m.claimed.some((c) => c.id === this.id)) {
      expected = { status: 'duplicate', pending: m.pending.length, evicted };
    } else if (m.pending.length >= CAPACITY) {
      expected = { status: 'refused', reason: 'capacity', pending: m.pending.length, capacity: CAPACITY };
    } else {
      m.pending.push({ id: this.id, from: this.from, at: m.now });
      expected = { status: 'registered', pending: m.pending.length, evicted };
    }
    const { registration: _ignored, ...comparable } = actual as typeof actual & { registration?: unknown };
    expectEqual(comparable, expected, this.toString());
  }
  toString = () => `register(${this.id}${this.from ? `, from ${this.from}` : ''})`;
}

class DuplicateRegisterCommand implements fc.AsyncCommand<Model, Real> {
  readonly pick: number;
  readonly from: string | undefined;
  constructor(pick: number, from: string | undefined) {
    this.pick = pick;
    this.from = from;
  }
  #id: string | undefined;
  check = (m: Readonly<Model>) => m.pending.length + m.claimed.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const known = [...m.pending.map((e) => e.id), ...m.claimed.map((c) => c.id)];
    this.#id = known[this.pick % known.length] ?? 'unreachable';
    await new RegisterCommand(this.#id, this.from).run(m, r);
  }
  toString = () => `register-again(${this.#id ?? `#${this.pick}`})`;
}

type CallerKind = 'matching' | 'unknown' | 'absent';

class ClaimCommand implements fc.AsyncCommand<Model, Real> {
  readonly kind: CallerKind;
  readonly pick: number;
  constructor(kind: CallerKind, pick: number) {
    this.kind = kind;
    this.pick = pick;
  }
  #from: string | undefined;
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const numbered = m.pending.filter((e) => e.from !== undefined);
    this.#from =
      this.kind === 'absent' ? undefined
      : this.kind === 'unknown' || numbered.length === 0 ? UNKNOWN_NUMBER
      : numbered[this.pick % numbered.length]?.from;
    const actual = await r.registry.claim(this.#from === undefined ? {} : { from: this.#from });
    const purgedExpired = purge(m);
    const from = this.#from;
    const exact = m.strategy !== 'fifo' && from !== undefined ? m.pending.find((e) => e.from === from) : undefined;
    const fallback = m.strategy === 'caller-id' ? m.pending.find((e) => e.from === undefined) : m.pending[0];
    const chosen = exact ?? fallback;
    if (!chosen) {
      expectEqual(actual, { status: 'none', purgedExpired }, this.toString());
      return;
    }
    m.pending = m.pending.filter((e) => e !== chosen);
    m.claimed.push({ id: chosen.id, at: m.now });
    if (m.claimed.length > CAPACITY) m.claimed.shift();
    expectEqual(
      actual,
      { status: 'claimed', simulationOutputId: chosen.id, matchedBy: exact ? 'caller-id' : 'fifo', ageMs: m.now - chosen.at, purgedExpired },
      this.toString(),
    );
  }
  toString = () => `claim(${this.kind}${this.#from ? ` ${this.#from}` : ''})`;
}

class AdvanceCommand implements fc.AsyncCommand<Model, Real> {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.ms;
    r.clock.advance(this.ms);
    expectEqual(await r.registry.pending(), (purge(m), m.pending.length), `${this.toString()} then pending()`);
  }
  toString = () => `advance(${this.ms}ms)`;
}

const maybeNumber = fc.option(fc.constantFrom(...NUMBERS), { nil: undefined });
const commands = [
  fc.tuple(fc.constantFrom(...IDS), maybeNumber).map(([id, from]) => new RegisterCommand(id, from)),
  fc.tuple(fc.nat(), maybeNumber).map(([pick, from]) => new DuplicateRegisterCommand(pick, from)),
  fc.tuple(fc.constantFrom<CallerKind>('matching', 'unknown', 'absent'), fc.nat()).map(([kind, pick]) => new ClaimCommand(kind, pick)),
  // Steps that land exactly on, just before and just after the TTL boundary.
  fc.constantFrom(0, 1, 250, TTL - 1, TTL, TTL + 1).map((ms) => new AdvanceCommand(ms)),
];

describe.each(storesUnderTest)('registry model on the $name store', ({ create }) => {
  it.each(CORRELATION_STRATEGIES)('matches the model for every command sequence under %s', async (strategy) => {
    const property = fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
      const store: RegistryStore = await create();
      try {
        const clock = new ManualClock();
        const registry = new SimulationRegistry(store, clock, { strategy, ttlMs: TTL, capacity: CAPACITY });
        const model: Model = { strategy, now: 0, pending: [], claimed: [] };
        await fc.asyncModelRun(() => ({ model, real: { registry, clock } }), cmds);
      } finally {
        await store.close();
      }
    });
    await fc.assert(property, fcOptions({ numRuns: 1_000 }, `registry model (${strategy})`));
  });
});
