/**
 * Admission for one AWS API shared by the whole rollout (STS and Organizations calls all come
 * from the hub account and share its rate limits). Two limits:
 *  - a hard cap on calls in flight (the configured concurrency), never exceeded;
 *  - a request rate learned from throttling, AIMD style: unlimited until AWS first throttles,
 *    then cut to a fraction of the rate that was actually being achieved, and raised a little
 *    every second without throttling, so the rollout runs just under the limit instead of
 *    retrying into it. A rate limit, not a concurrency limit, because the limits AWS enforces
 *    are rates: the concurrency that fits a rate depends on latency.
 */
export interface AdaptiveRateOptions {
  /** Most calls in flight at once. */
  maxInFlight: number;
  /** Fraction of the achieved rate kept after throttling. */
  decrease?: number;
  /** Relative growth per second without throttling. */
  increase?: number;
  /** Floor of the learned rate (calls per second). */
  minRate?: number;
  /** After a cut, further throttles are ignored this long: they belong to the same burst. */
  cooldownMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const WINDOW_MS = 1000;

export class AdaptiveRateGate {
  private rate = Number.POSITIVE_INFINITY;
  private tokens = 1;
  private refilledAt: number;
  private lastCut = Number.NEGATIVE_INFINITY;
  private lastRaise: number;
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private tail: Promise<void> = Promise.resolve();
  private readonly successes: number[] = [];
  private readonly decreaseBy: number;
  private readonly increaseBy: number;
  private readonly minRate: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Counters for benchmarks and metrics. */
  readonly stats = { throttles: 0, cuts: 0, raises: 0, peakInFlight: 0 };

  constructor(readonly options: AdaptiveRateOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
      throw new TypeError(`maxInFlight must be a positive integer, got ${options.maxInFlight}`);
    }
    this.decreaseBy = options.decrease ?? 0.9;
    this.increaseBy = options.increase ?? 0.08;
    this.minRate = options.minRate ?? 1;
    this.cooldownMs = options.cooldownMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.refilledAt = this.now();
    this.lastRaise = this.refilledAt;
  }

  /** Calls per second allowed now (Infinity until the first throttle). */
  get currentRate(): number {
    return this.rate;
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.slot();
    try {
      await this.token();
      return await fn();
    } finally {
      this.active--;
      const next = this.waiters.shift();
      if (next) {
        this.active++;
        next();
      }
    }
  }

  onThrottle(): void {
    this.stats.throttles++;
    const t = this.now();
    if (t - this.lastCut < this.cooldownMs) return;
    const achieved = this.achievedRate(t);
    const base = Number.isFinite(this.rate) ? Math.min(this.rate, Math.max(achieved, this.minRate)) : Math.max(achieved, this.minRate);
    this.rate = Math.max(this.minRate, base * this.decreaseBy);
    this.tokens = 0;
    this.lastCut = t;
    this.lastRaise = t;
    this.stats.cuts++;
  }

  onSuccess(): void {
    const t = this.now();
    this.successes.push(t);
    if (this.successes.length > 4096) this.successes.splice(0, this.successes.length - 2048);
    if (Number.isFinite(this.rate) && t - this.lastRaise >= WINDOW_MS) {
      this.rate += Math.max(0.5, this.rate * this.increaseBy);
      this.lastRaise = t;
      this.stats.raises++;
    }
  }

  /** Successful calls per second over the last window (or over the history, when shorter). */
  private achievedRate(t: number): number {
    let n = 0;
    let oldest = t;
    for (let i = this.successes.length - 1; i >= 0 && t - this.successes[i] < WINDOW_MS; i--) {
      n++;
      oldest = this.successes[i];
    }
    return n === 0 ? 0 : (n * 1000) / Math.max(100, t - oldest);
  }

  private async slot(): Promise<void> {
    if (this.active < this.options.maxInFlight && this.waiters.length === 0) {
      this.active++;
    } else {
      // The releasing call hands its slot over (already counted).
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.active);
  }

  /** Token bucket at the learned rate; callers queue in order. */
  private token(): Promise<void> {
    const turn = this.tail.then(async () => {
      while (Number.isFinite(this.rate)) {
        const t = this.now();
        this.tokens = Math.min(1, this.tokens + ((t - this.refilledAt) / 1000) * this.rate);
        this.refilledAt = t;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
