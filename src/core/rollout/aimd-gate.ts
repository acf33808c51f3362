/**
 * A concurrency gate whose limit adapts to throttling, AIMD style (as TCP does):
 * every throttled call halves the limit (at most once per cooldown, so one burst of
 * throttles counts once); every window of successful calls adds one, up to the cap.
 * The configured cap is never exceeded. Work starts only when a slot is free.
 */
export interface AimdOptions {
  /** The hard cap (the configured concurrency). */
  max: number;
  /** Where the limit starts; defaults to max. */
  initial?: number;
  min?: number;
  /** Multiplier applied on throttling. */
  decrease?: number;
  /** Ignore further throttles this long after a decrease. */
  cooldownMs?: number;
  now?: () => number;
}

export class AimdGate {
  private limitValue: number;
  private active = 0;
  private successes = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private readonly queue: (() => void)[] = [];
  private readonly min: number;
  private readonly decreaseBy: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  /** Counters for benchmarks and metrics. */
  readonly stats = { throttles: 0, decreases: 0, increases: 0, peakActive: 0 };

  constructor(readonly options: AimdOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new TypeError(`max must be a positive integer, got ${options.max}`);
    this.min = options.min ?? 1;
    this.decreaseBy = options.decrease ?? 0.5;
    this.cooldownMs = options.cooldownMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.limitValue = Math.min(options.max, Math.max(this.min, options.initial ?? options.max));
  }

  get limit(): number {
    return this.limitValue;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Runs fn when a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    // Either take a free slot now, or wait for drain() to hand one over (already counted).
    if (this.active < this.limitValue && this.queue.length === 0) this.active++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    this.stats.peakActive = Math.max(this.stats.peakActive, this.active);
    try {
      return await fn();
    } finally {
      this.active--;
      this.drain();
    }
  }

  onThrottle(): void {
    this.stats.throttles++;
    const t = this.now();
    if (t - this.lastDecrease < this.cooldownMs) return;
    this.lastDecrease = t;
    this.successes = 0;
    const next = Math.max(this.min, Math.floor(this.limitValue * this.decreaseBy));
    if (next < this.limitValue) {
      this.limitValue = next;
      this.stats.decreases++;
    }
  }

  onSuccess(): void {
    if (this.limitValue >= this.options.max) return;
    this.successes++;
    if (this.successes >= this.limitValue) {
      this.successes = 0;
      this.limitValue++;
      this.stats.increases++;
      this.drain();
    }
  }

  private drain(): void {
    while (this.active < this.limitValue && this.queue.length > 0) {
      this.active++;
      (this.queue.shift() as () => void)();
    }
  }
}
