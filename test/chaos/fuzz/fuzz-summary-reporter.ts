// Ends a run that fuzzed with one line: how many generated cases ran in total and per target,
// and the seed (fast-check prints it with any failure too). Silent when nothing was fuzzed.
import type { Reporter, TestModule } from 'vitest/node';
import './fuzz-run.ts';

export default class FuzzSummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const perTarget = new Map<string, number>();
    const seeds = new Set<number>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const fuzz = test.meta().fuzz;
        if (fuzz === undefined) continue;
        perTarget.set(fuzz.target, (perTarget.get(fuzz.target) ?? 0) + fuzz.cases);
        seeds.add(fuzz.seed);
      }
    }
    if (perTarget.size === 0) return;
    const total = [...perTarget.values()].reduce((sum, cases) => sum + cases, 0);
    const targets = [...perTarget].map(([target, cases]) => `${target} ${cases}`).join(', ');
    process.stdout.write(`\nfuzz: ${total} cases (${targets}); seed ${[...seeds].join(', ')}\n`);
  }
}
