/**
 * The runner's bounded waits and their defaults: in their own file so the call driver and the
 * run entry point can both use them without importing each other.
 */
import { EXPORT_REJECTION_SETTLE_MS } from './export-wait.ts';

/** Every bounded wait of a run (ms on the run's clock). */
export interface RunnerTimeouts {
  /** Each pre-call webhook POST. */
  readonly registrationMs: number;
  /** The voice webhook (Twilio's own limit is 15 s). */
  readonly webhookMs: number;
  /** The relay WebSocket handshake. */
  readonly connectMs: number;
  /** Arrival barrier: how long to wait for the agent's first frame after `setup` before the next call arrives. */
  readonly arrivalSettleMs: number;
  /** The socket to close after the caller hangs up (then it is dropped). */
  readonly hangUpMs: number;
  /** After the socket closed: how long an owed trace export may take to arrive. */
  readonly exportDeadlineMs: number;
  /** When no export is owed: how long to watch for one anyway (catches unexpected exports). */
  readonly noExportWindowMs: number;
  /** After fake Coval refused a call's export for good: how long to wait for a (wrong) retry before giving up early. */
  readonly exportRejectionSettleMs: number;
}

/** Defaults tuned for loopback agents: generous for real failures, small where every run pays. */
export const DEFAULT_RUNNER_TIMEOUTS: RunnerTimeouts = Object.freeze({
  registrationMs: 10_000,
  webhookMs: 15_000,
  connectMs: 10_000,
  arrivalSettleMs: 30,
  hangUpMs: 5_000,
  exportDeadlineMs: 8_000,
  noExportWindowMs: 200,
  exportRejectionSettleMs: EXPORT_REJECTION_SETTLE_MS,
});
