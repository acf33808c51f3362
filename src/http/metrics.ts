import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Telemetry } from '../core/ports.js';

/** One Prometheus registry and the Telemetry port that feeds it (the orchestrator and AWS adapters report to it). */
export interface HttpMetrics {
  registry: Registry;
  telemetry: Telemetry;
}

export const METRIC_PREFIX = 'org_iam_rollout_';

/**
 * A registry per call, never prom-client's global one, so several apps (tests, or a
 * CLI command next to `serve`) can coexist in one process without name clashes.
 */
export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  const rollouts = new Counter({
    name: `${METRIC_PREFIX}rollouts_total`,
    help: 'Rollouts finished, by final status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const accountResults = new Counter({
    name: `${METRIC_PREFIX}account_results_total`,
    help: 'Per-account results, by status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const awsCalls = new Counter({
    name: `${METRIC_PREFIX}aws_calls_total`,
    help: 'AWS API calls, by service, operation and outcome (ok, error, throttled).',
    labelNames: ['service', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const throttled = new Counter({
    name: `${METRIC_PREFIX}aws_throttled_calls_total`,
    help: 'AWS API calls answered with a throttling error, by service and operation.',
    labelNames: ['service', 'operation'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${METRIC_PREFIX}rollout_duration_seconds`,
    help: 'Wall time of finished rollouts.',
    labelNames: ['status'] as const,
    // From a one-account drift to a few thousand accounts at low concurrency.
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600, 7200],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: `${METRIC_PREFIX}accounts_in_flight`,
    help: 'Accounts being worked on right now.',
    registers: [registry],
  });

  // Clamped at zero: an account skipped before it started may still be reported finished.
  let inFlightCount = 0;
  const telemetry: Telemetry = {
    awsCall(service, operation, outcome) {
      awsCalls.inc({ service, operation, outcome });
      if (outcome === 'throttled') throttled.inc({ service, operation });
    },
    accountStarted() {
      inFlightCount += 1;
      inFlight.set(inFlightCount);
    },
    accountFinished(status) {
      inFlightCount = Math.max(0, inFlightCount - 1);
      inFlight.set(inFlightCount);
      accountResults.inc({ status });
    },
    rolloutFinished(status, durationMs) {
      rollouts.inc({ status });
      duration.observe({ status }, durationMs / 1000);
    },
  };
  return { registry, telemetry };
}
