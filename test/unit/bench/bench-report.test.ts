import { describe, expect, it } from 'vitest';
import { formatTable, missingFigures, verdict } from '../../bench/bench-report.ts';

describe('bench report', () => {
  it('says whether each figure met its target, and keeps missing figures with their reason', () => {
    expect(verdict({ value: 171, unit: 'ms', target: 250 })).toBe('met');
    expect(verdict({ value: 189, unit: 'MiB', target: 60 })).toBe('MISSED');
    expect(verdict({ value: 124, unit: 'ms' })).toBe('');
    const missing = missingFigures({ detection_p95_ms: { unit: 'ms', target: 250 } }, 'cluster-tier binaries not built');
    expect(missing).toEqual({ detection_p95_ms: { value: null, unit: 'ms', target: 250, missing: 'cluster-tier binaries not built' } });
    const table = formatTable({ ...missing, ack_p99_ms: { value: 142.456, unit: 'ms', target: 100, runs: 200, note: 'max 149 ms' } });
    expect(table).toMatch(/^detection_p95_ms\s+-\s+250 ms\s+missing\s+cluster-tier binaries not built$/m);
    expect(table).toMatch(/^ack_p99_ms\s+142 ms\s+100 ms\s+MISSED\s+200\s+max 149 ms$/m);
  });
});
