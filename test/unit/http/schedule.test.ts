import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { startSchedule, validateSchedule } from '../../../src/schedule.js';
import { FakeRolloutService } from '../../helpers/fake-rollout-service.js';
import { FakeStore } from '../../helpers/fake-store.js';
import { LogSink } from '../../helpers/fake-http-app.js';

describe('the in-process schedule', () => {
  it('refuses an invalid cron expression with CONFIG.INVALID naming ROLLOUT_SCHEDULE', () => {
    for (const bad of ['every day', '61 * * * *', '* * *']) {
      expect(() => validateSchedule(bad), bad).toThrow(expect.objectContaining({ code: 'CONFIG.INVALID', message: expect.stringContaining('ROLLOUT_SCHEDULE') }));
    }
    expect(() => validateSchedule('0 3 * * *')).not.toThrow();
  });

  it('starts a full rollout with trigger schedule on each tick', async () => {
    const rollouts = new FakeRolloutService(new FakeStore());
    const logs = new LogSink();
    const schedule = startSchedule('0 3 * * *', rollouts, createLogger('info', logs));
    try {
      expect(schedule.nextRun()?.getHours()).toBe(3);
      await schedule.tick();
      expect(rollouts.calls).toEqual([{ method: 'start', args: [{}, { trigger: 'schedule', requestedBy: 'schedule' }] }]);
      expect(logs.records().some((r) => r.msg === 'scheduled rollout started')).toBe(true);
    } finally {
      schedule.stop();
    }
    expect(schedule.nextRun()).toBeNull();
  });

  it('skips a tick while another rollout holds the lock, and logs it', async () => {
    const rollouts = new FakeRolloutService(new FakeStore());
    rollouts.lockedBy = '20250101T000000Z-aaaaaa';
    const logs = new LogSink();
    const schedule = startSchedule('*/5 * * * *', rollouts, createLogger('info', logs));
    try {
      await schedule.tick();
      await schedule.tick();
    } finally {
      schedule.stop();
    }
    const skipped = logs.records().filter((r) => r.msg === 'scheduled rollout skipped: another rollout holds the lock');
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toMatchObject({ level: 40, code: 'ROLLOUT.LOCKED', heldBy: '20250101T000000Z-aaaaaa' });
  });

  it('logs, and survives, a tick that fails for another reason', async () => {
    const rollouts = new FakeRolloutService(new FakeStore());
    rollouts.failure = new Error('store went away');
    const logs = new LogSink();
    const schedule = startSchedule('0 * * * *', rollouts, createLogger('info', logs));
    try {
      await expect(schedule.tick()).resolves.toBeUndefined();
    } finally {
      schedule.stop();
    }
    expect(logs.records().filter((r) => r.msg === 'scheduled rollout could not start')).toHaveLength(1);
  });
});
