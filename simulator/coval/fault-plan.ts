import { SimErrors } from '../core/errors.ts';

/**
 * One scripted answer to one POST. `pass` handles the request normally; `status` 300–599 answers
 * with that status without looking at the request (Coval-shaped error body, optional
 * Retry-After); `status` 2xx is Coval accepting it: normal handling (checks, decoding, the batch
 * stored) answered with that status instead of 200; `reset` destroys the connection without
 * answering. `delayMs` (on the fake's clock) runs first in every case.
 */
export type FaultStep =
  | { readonly kind: 'pass'; readonly delayMs?: number }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: number | string; readonly message?: string; readonly delayMs?: number }
  | { readonly kind: 'reset'; readonly delayMs?: number };

/** A sequence of steps consumed one per POST; what happens once it runs out. */
export interface FaultPlan {
  readonly steps: readonly FaultStep[];
  /** `pass` (default): normal handling afterwards; `repeat-last`: keep answering with the last step. */
  readonly then?: 'pass' | 'repeat-last';
}

/** A step chosen for a request, with its position for the attempt log. */
export interface ChosenStep {
  readonly step: FaultStep;
  readonly scope: 'simulation' | 'global';
  readonly index: number;
}

interface Cursor {
  readonly plan: FaultPlan;
  next: number;
}

function fail(what: string): never {
  throw new SimErrors.SIM_ERR_COVAL_FAULT_PLAN_INVALID(what);
}

function checkStep(step: FaultStep, i: number): void {
  const where = `steps[${i}]`;
  if (step === null || typeof step !== 'object') fail(`${where} must be an object`);
  if (step.delayMs !== undefined && !(Number.isFinite(step.delayMs) && step.delayMs >= 0)) {
    fail(`${where}.delayMs must be a finite number >= 0 (actual: ${String(step.delayMs)})`);
  }
  if (step.kind === 'status') {
    if (!Number.isInteger(step.status) || step.status < 200 || step.status > 599) fail(`${where}.status must be an HTTP status 200..599 (actual: ${String(step.status)})`);
    const ra = step.retryAfter;
    if (ra !== undefined && !(typeof ra === 'string' ? ra.trim() !== '' : Number.isFinite(ra) && ra >= 0)) {
      fail(`${where}.retryAfter must be seconds >= 0 or an HTTP-date string (actual: ${String(ra)})`);
    }
  } else if (step.kind !== 'pass' && step.kind !== 'reset') {
    fail(`${where}.kind must be 'pass', 'status' or 'reset' (actual: ${JSON.stringify((step as { kind?: unknown }).kind)})`);
  }
}

/** Validates a plan at the edge. */
export function checkFaultPlan(plan: FaultPlan): FaultPlan {
  if (plan === null || typeof plan !== 'object' || !Array.isArray(plan.steps)) fail('a plan needs a steps array');
  plan.steps.forEach(checkStep);
  if (plan.then !== undefined && plan.then !== 'pass' && plan.then !== 'repeat-last') fail(`then must be 'pass' or 'repeat-last' (actual: ${String(plan.then)})`);
  return plan;
}

/** Fault plans per simulation id and one global plan; a simulation's own plan wins. */
export class FaultPlans {
  readonly #bySimulation = new Map<string, Cursor>();
  #global: Cursor | undefined;

  /** Installs `plan` for `simulationId`, or globally when no id is given; restarts it from step 0. */
  set(plan: FaultPlan, simulationId?: string): void {
    const cursor: Cursor = { plan: checkFaultPlan(plan), next: 0 };
    if (simulationId === undefined) this.#global = cursor;
    else this.#bySimulation.set(simulationId, cursor);
  }

  /** Removes the plan of `simulationId`; without an id removes every plan, global included. */
  clear(simulationId?: string): void {
    if (simulationId !== undefined) {
      this.#bySimulation.delete(simulationId);
      return;
    }
    this.#global = undefined;
    this.#bySimulation.clear();
  }

  /** Consumes the step for a request naming `simulationId` (undefined when nothing is scripted). */
  take(simulationId: string | undefined): ChosenStep | undefined {
    const own = simulationId === undefined ? undefined : this.#bySimulation.get(simulationId);
    if (own) return this.#advance(own, 'simulation');
    if (this.#global) return this.#advance(this.#global, 'global');
    return undefined;
  }

  #advance(cursor: Cursor, scope: ChosenStep['scope']): ChosenStep | undefined {
    const steps = cursor.plan.steps;
    if (cursor.next < steps.length) {
      const index = cursor.next++;
      return { step: steps[index] as FaultStep, scope, index };
    }
    if (cursor.plan.then === 'repeat-last' && steps.length > 0) {
      return { step: steps[steps.length - 1] as FaultStep, scope, index: steps.length - 1 };
    }
    return undefined;
  }
}
