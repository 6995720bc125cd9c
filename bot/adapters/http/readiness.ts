// Readiness is the conjunction of what each part reports about itself; /readyz shows the
// reasons of the parts that are not ready, so an operator sees why without reading logs.

export interface ReadinessReport {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

export class Readiness {
  readonly #notReady = new Map<string, string>();

  /** Registers a part as not ready yet; nothing is ready before it says so. */
  expect(part: string, reason: string): void {
    this.#notReady.set(part, reason);
  }

  ready(part: string): void {
    this.#notReady.delete(part);
  }

  notReady(part: string, reason: string): void {
    this.#notReady.set(part, reason);
  }

  report(): ReadinessReport {
    const reasons = [...this.#notReady].map(([part, reason]) => `${part}: ${reason}`);
    return { ready: reasons.length === 0, reasons };
  }
}
