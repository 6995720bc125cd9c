// A small seeded PRNG (mulberry32): the simulated cluster draws everything random from it, so the
// same seed and the same calls give the same cluster, the same boot ids and the same run, every time.

export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let mixed = this.#state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform integer in [min, max], both included. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.integer(0, items.length - 1)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = this.integer(0, index);
      const item = copy[index] as T;
      copy[index] = copy[other] as T;
      copy[other] = item;
    }
    return copy;
  }

  /** Lowercase hexadecimal digits. */
  hex(length: number): string {
    let text = '';
    for (let index = 0; index < length; index++) text += this.integer(0, 15).toString(16);
    return text;
  }

  /** Shaped like the UUID in a node's status.nodeInfo.bootID. */
  bootId(): string {
    return [this.hex(8), this.hex(4), this.hex(4), this.hex(4), this.hex(12)].join('-');
  }
}
