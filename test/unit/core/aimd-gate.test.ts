import { describe, expect, it } from 'vitest';
import { AimdGate } from '../../../src/core/rollout/aimd-gate.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('AimdGate', () => {
  it('never runs more than its limit at once, with real timers', async () => {
    const gate = new AimdGate({ max: 4 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        gate.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
        }),
      ),
    );
    expect(peak).toBe(4);
    expect(gate.inFlight).toBe(0);
  });

  it('halves on throttling at most once per cooldown and never below min', () => {
    let t = 0;
    const gate = new AimdGate({ max: 40, cooldownMs: 1000, now: () => t });
    gate.onThrottle();
    expect(gate.limit).toBe(20);
    gate.onThrottle();
    expect(gate.limit).toBe(20);
    t = 1000;
    gate.onThrottle();
    expect(gate.limit).toBe(10);
    for (let i = 0; i < 10; i++) {
      t += 1000;
      gate.onThrottle();
    }
    expect(gate.limit).toBe(1);
    expect(gate.stats.throttles).toBe(13);
  });

  it('climbs back by one per window of successes, up to the cap', () => {
    const gate = new AimdGate({ max: 5, initial: 2 });
    gate.onSuccess();
    expect(gate.limit).toBe(2);
    gate.onSuccess();
    expect(gate.limit).toBe(3);
    for (let i = 0; i < 100; i++) gate.onSuccess();
    expect(gate.limit).toBe(5);
  });

  it('admits waiting work when the limit grows', async () => {
    const gate = new AimdGate({ max: 3, initial: 1 });
    const order: number[] = [];
    let release!: () => void;
    const first = gate.run(() => new Promise<void>((r) => { release = r; order.push(1); }));
    const second = gate.run(async () => { order.push(2); });
    await tick();
    expect(order).toEqual([1]);
    gate.onSuccess(); // window of 1 at limit 1 → limit 2, the waiter is admitted
    await second;
    expect(order).toEqual([1, 2]);
    release();
    await first;
  });

  it('rejects a nonsensical cap with a precise TypeError', () => {
    expect(() => new AimdGate({ max: 0 })).toThrow(TypeError);
  });
});
