/**
 * What one isolate remembers having done, so that it need not do it again: a set of strings that
 * starts over when full. Forgetting costs only the work again, never a wrong answer, so a set
 * that someone's stream of distinct values fills stays small instead of growing without bound.
 */
export class IsolateMemo {
  private readonly values = new Set<string>();

  /** @param max How many values are kept before it starts over. */
  constructor(private readonly max: number) {}

  has(value: string): boolean {
    return this.values.has(value);
  }

  add(value: string): void {
    if (this.values.size >= this.max) this.values.clear();
    this.values.add(value);
  }
}
