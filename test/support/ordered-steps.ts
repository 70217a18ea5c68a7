/**
 * The shrinkable interleaving representation and its barrier (decisions 0004, 0950) live in the product
 * (`relaysim race` uses them); the property tests import them from here.
 */
export { callsArbitrary, callTimingArbitrary, interleaving, interleavingSteps, type CallTiming, type InterleavingStep } from '../../simulator/race/interleaving.ts';
export { orderedSteps, type StepRunner } from '../../simulator/race/ordered-steps.ts';
