/**
 * A value read from the database at most once every `maxAgeMs` and shared by every caller meanwhile
 * (reference data every registration reads and that changes rarely). A failed read is not kept; a
 * change made through this process is seen at once (`forget`), one made by another process within
 * `maxAgeMs`.
 */
export class Fresh<T> {
  private held?: { at: number; value: Promise<T> };

  constructor(
    private readonly maxAgeMs: number,
    private readonly read: () => Promise<T>,
  ) {}

  get(): Promise<T> {
    if (!this.held || Date.now() - this.held.at > this.maxAgeMs) {
      const held = { at: Date.now(), value: this.read() };
      held.value.catch(() => {
        if (this.held === held) this.held = undefined;
      });
      this.held = held;
    }
    return this.held.value;
  }

  forget(): void {
    this.held = undefined;
  }
}
