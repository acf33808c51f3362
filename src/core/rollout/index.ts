export { runRollout, type RolloutDeps, type RunRolloutParams, type RolloutOutcome } from './run-rollout.js';
export { DefaultRolloutService, newRolloutId, type RolloutSettings } from './rollout-service.js';
export { summarize, emptySummary, finalStatus, exitCodeForRollout } from './report.js';
export { parseTolerance } from './tolerance.js';
export { AdaptiveRateGate, type AdaptiveRateOptions } from './adaptive-rate-gate.js';
