/**
 * The shrinkable interleaving representation and its barrier (decision 0004) live in the product
 * (`relaysim race` uses them); the property tests import them from here.
 */
export { interleaving, interleavingSteps, type InterleavingStep } from '../../simulator/race/interleaving.ts';
export { orderedSteps, type StepRunner } from '../../simulator/race/ordered-steps.ts';
