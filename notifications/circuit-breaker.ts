/**
 * A circuit breaker per recipient: after `failures` deliveries in a row fail, the recipient is left
 * alone for `openSeconds` — its notifications wait without spending their attempts, and take no
 * delivery slot from anyone — then one more failure opens it again, one success closes it.
 */
export class CircuitBreaker {
  private readonly state = new Map<string, { failures: number; openUntil: number }>();

  constructor(
    private readonly failures = 3,
    private readonly openSeconds = 60,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds left before the recipient is tried again; 0 when its circuit is closed. */
  openFor(recipient: string): number {
    const s = this.state.get(recipient);
    return s ? Math.max(0, Math.ceil((s.openUntil - this.now()) / 1000)) : 0;
  }

  succeeded(recipient: string): void {
    this.state.delete(recipient);
  }

  failed(recipient: string): void {
    const s = this.state.get(recipient) ?? { failures: 0, openUntil: 0 };
    s.failures++;
    // once open, a recipient that fails again after its pause is paused again at once
    if (s.failures >= this.failures) {
      s.openUntil = this.now() + this.openSeconds * 1000;
      s.failures = this.failures - 1;
    }
    this.state.set(recipient, s);
  }
}
