import { describe, expect, it } from 'vitest';
import { kuredDelay, kuredDetectionFigures } from '../../bench/kured-detection.ts';

describe("kured's detection delay from its configuration", () => {
  it('first check 0.5-1.5 periods after start, then every period', () => {
    expect(kuredDelay(60_000)).toEqual({ worstAfterStartMs: 90_000, worstRunningMs: 60_000, meanRunningMs: 30_000 });
    expect(kuredDelay(3_600_000).worstAfterStartMs).toBe(5_400_000);
    expect(() => kuredDelay(0)).toThrow(RangeError);
  });

  it('reports the seed period and the default, and their ratio to a measured p95', () => {
    const figures = kuredDetectionFigures(180);
    expect(figures['kured_detection_worst_ms_period_1m']?.value).toBe(90_000);
    expect(figures['kured_detection_worst_ms_default']?.value).toBe(5_400_000);
    expect(figures['kured_detection_ratio_period_1m']?.value).toBe(500);
    expect(figures['kured_detection_ratio_default']?.value).toBe(30_000);
  });

  it('without a measured p95 the ratios are missing, with the reason', () => {
    const figures = kuredDetectionFigures(null);
    expect(figures['kured_detection_ratio_period_1m']).toMatchObject({ value: null, missing: expect.stringContaining('detection_p95_ms') as unknown });
    expect(figures['kured_detection_worst_ms_period_1m']?.value).toBe(90_000);
  });
});
