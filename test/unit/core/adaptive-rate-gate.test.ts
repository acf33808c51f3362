import { describe, expect, it } from 'vitest';
import { AdaptiveRateGate } from '../../../src/core/rollout/adaptive-rate-gate.js';

/** A manual clock: sleep() advances it, so rates are exact and tests take no time. */
function manualClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => { t += ms; }, advance: (ms: number) => { t += ms; } };
}

describe('AdaptiveRateGate', () => {
  it('never has more calls in flight than its cap, with real timers', async () => {
    const gate = new AdaptiveRateGate({ maxInFlight: 3 });
    let running = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 30 }, () => gate.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
    })));
    expect(peak).toBe(3);
    expect(gate.inFlight).toBe(0);
  });

  it('is unlimited until the first throttle, then cuts to a fraction of the achieved rate', () => {
    const c = manualClock();
    const gate = new AdaptiveRateGate({ maxInFlight: 50, now: c.now, sleep: c.sleep });
    expect(gate.currentRate).toBe(Infinity);
    for (let i = 0; i < 51; i++) { gate.onSuccess(); c.advance(10); } // 100 per second achieved
    gate.onThrottle();
    expect(gate.currentRate).toBeCloseTo(90, 0);
    gate.onThrottle(); // same burst: ignored
    expect(gate.currentRate).toBeCloseTo(90, 0);
    expect(gate.stats).toMatchObject({ throttles: 2, cuts: 1 });
  });

  it('raises the rate a little each second without throttling', () => {
    const c = manualClock();
    const gate = new AdaptiveRateGate({ maxInFlight: 5, now: c.now, sleep: c.sleep, minRate: 10 });
    gate.onThrottle(); // nothing achieved yet: the floor
    expect(gate.currentRate).toBe(10);
    c.advance(1000);
    gate.onSuccess();
    expect(gate.currentRate).toBeCloseTo(10.8);
    c.advance(500);
    gate.onSuccess();
    expect(gate.currentRate).toBeCloseTo(10.8);
  });

  it('spaces calls at the learned rate', async () => {
    const c = manualClock();
    const gate = new AdaptiveRateGate({ maxInFlight: 50, now: c.now, sleep: c.sleep, minRate: 20, decrease: 1 });
    gate.onThrottle(); // rate 20/s
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 11 }, () => gate.run(async () => { starts.push(c.now()); })));
    // 11 calls at 20/s after an emptied bucket: the last starts 550 ms in.
    expect(starts[starts.length - 1] - starts[0]).toBeGreaterThanOrEqual(500);
    expect(starts[starts.length - 1]).toBeLessThanOrEqual(560);
  });

  it('rejects a nonsensical cap with a precise TypeError', () => {
    expect(() => new AdaptiveRateGate({ maxInFlight: 0 })).toThrow(TypeError);
  });
});
