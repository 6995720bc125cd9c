// The console's `sim` commands, available only when the cluster is simulated.
export interface SimulationControl {
  makePending(node: string, packages?: readonly string[]): void;
  reset(): void;
}
