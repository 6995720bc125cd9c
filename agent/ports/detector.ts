// One way of telling whether the node needs a reboot: the sentinel file or the sentinel command.
import type { Observation } from '../core/detection.ts';

export interface Detector {
  /** What is checked, for the start-up log, e.g. `sentinel file /var/run/reboot-required`. */
  readonly description: string;
  /** Throws DetectionError when the answer is unknown; the agent then keeps its last state. */
  scan(): Promise<Observation>;
}

export type DetectionFailure = 'timeout' | 'not-found' | 'exit-code' | 'signal' | 'io';

export class DetectionError extends Error {
  override readonly name = 'DetectionError';
  readonly kind: DetectionFailure;

  constructor(kind: DetectionFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}
