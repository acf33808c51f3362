import { Cron } from 'croner';
import { DomainError, isDomainError } from './core/errors.js';
import type { Logger, RolloutService } from './core/ports.js';

export interface Schedule {
  /** When the next tick fires, or null. */
  nextRun(): Date | null;
  /** Runs one tick now (what the timer does); resolves when the rollout has been started or skipped. */
  tick(): Promise<void>;
  stop(): void;
}

/** Parses the cron expression once; an invalid one is CONFIG.INVALID at start-up, not at the first tick. */
export function validateSchedule(expression: string): void {
  try {
    new Cron(expression, { paused: true }).stop();
  } catch (e) {
    throw new DomainError('CONFIG.INVALID', `ROLLOUT_SCHEDULE=${JSON.stringify(expression)}: not a valid cron expression (${(e as Error).message})`, {
      key: 'ROLLOUT_SCHEDULE',
    });
  }
}

/**
 * The in-process schedule of `serve`: each tick asks for a full rollout with the configured
 * defaults. It takes the same store lock as any other trigger, so a tick that finds a
 * rollout running is skipped (logged), never queued.
 */
export function startSchedule(expression: string, rollouts: RolloutService, logger: Logger): Schedule {
  validateSchedule(expression);
  const log = logger.child({ component: 'schedule' });

  const tick = async (): Promise<void> => {
    try {
      const started = await rollouts.start({}, { trigger: 'schedule', requestedBy: 'schedule' });
      log.info({ rolloutId: started.record.id }, 'scheduled rollout started');
      // The rollout runs on; its outcome is in the store and the metrics.
      started.done.catch((err: unknown) => log.error({ err, rolloutId: started.record.id }, 'scheduled rollout failed'));
    } catch (err) {
      if (isDomainError(err) && err.code === 'ROLLOUT.LOCKED') {
        log.warn({ code: err.code, heldBy: err.details?.heldBy }, 'scheduled rollout skipped: another rollout holds the lock');
        return;
      }
      log.error({ err, code: isDomainError(err) ? err.code : 'INTERNAL' }, 'scheduled rollout could not start');
    }
  };

  // protect: a tick never overlaps the previous one while start() is still taking the lock.
  const job = new Cron(expression, { protect: true, name: 'rollout-schedule' }, tick);
  log.info({ schedule: expression, nextRun: job.nextRun()?.toISOString() ?? null }, 'rollout schedule active');
  return {
    nextRun: () => job.nextRun(),
    tick,
    stop: () => job.stop(),
  };
}
