import { errorRateDeviation, latencyDeviation, mad, median, robustBaseline } from '../../src/anomalies/detection/baseline';
import { DEFAULT_RULE, detectErrorSpike, detectHighLatency, detectServiceDown } from '../../src/anomalies/detection/detectors';
import { severityRank } from '../../src/common/alert-vocabulary';
import { serviceDownSeverity, severityForRatio } from '../../src/anomalies/detection/severity';

describe('baseline maths', () => {
  it('median and MAD', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1); // median 2, deviations 1,1,0,0,2,4,7 -> 1
  });

  it('ignores a few outliers, unlike a mean', () => {
    const b = robustBaseline([0.01, 0.012, 0.009, 0.011, 0.4, 0.01, 0.35])!;
    expect(b.center).toBeCloseTo(0.011, 6);
    expect(b.spread).toBeLessThan(0.01);
  });

  it('needs five windows of history', () => {
    expect(robustBaseline([1, 2, 3, 4])).toBeNull();
    expect(robustBaseline([1, 2, 3, 4, 5])).toEqual({ center: 3, spread: 1.4826, samples: 5 });
    expect(robustBaseline([1, 2, NaN, 3, 4])).toBeNull();
  });

  it('error-rate deviation: the larger of spread, sampling noise and half a point', () => {
    expect(errorRateDeviation({ center: 0.2, spread: 0.001, samples: 20 }, 100)).toBeCloseTo(0.04, 6); // sqrt(.2*.8/100)
    expect(errorRateDeviation({ center: 0.2, spread: 0.05, samples: 20 }, 100)).toBe(0.05);
    expect(errorRateDeviation({ center: 0, spread: 0, samples: 20 }, 1000)).toBe(0.005);
  });

  it('latency deviation: at least 10% of the baseline', () => {
    expect(latencyDeviation({ center: 150, spread: 2, samples: 20 })).toBe(15);
    expect(latencyDeviation({ center: 150, spread: 40, samples: 20 })).toBe(40);
  });
});

describe('severity', () => {
  it('grows with the ratio to the threshold', () => {
    expect(severityForRatio(1.01)).toBe('low');
    expect(severityForRatio(1.5)).toBe('medium');
    expect(severityForRatio(2)).toBe('high');
    expect(severityForRatio(2.99)).toBe('high');
    expect(severityForRatio(3)).toBe('critical');
    expect(severityForRatio(NaN)).toBe('low');
    expect(severityRank('critical')).toBeGreaterThan(severityRank('high'));
  });

  it('service_down: high, critical after three times downAfterWindows', () => {
    expect(serviceDownSeverity(5, 5)).toBe('high');
    expect(serviceDownSeverity(14, 5)).toBe('high');
    expect(serviceDownSeverity(15, 5)).toBe('critical');
  });
});

describe('error_spike detector', () => {
  const steady = (rate: number, n = 20) => Array.from({ length: n }, (_, i) => rate * (1 + ((i % 5) - 2) * 0.05));

  it('fires on a jump from 0.5% to 30%, with the threshold, baseline and severity', () => {
    const v = detectErrorSpike({ logCount: 200, errorCount: 60 }, steady(0.005), DEFAULT_RULE);
    expect(v).toMatchObject({ anomalous: true, value: 0.3, threshold: 0.05, severity: 'critical' });
    if (v.anomalous) expect(v.baseline).toBeCloseTo(0.005, 6);
  });

  it('does not fire for a service that is always at 20%', () => {
    expect(detectErrorSpike({ logCount: 200, errorCount: 50 }, steady(0.2), DEFAULT_RULE).anomalous).toBe(false);
  });

  it('needs both floors: 10 errors and 5%', () => {
    expect(detectErrorSpike({ logCount: 2, errorCount: 1 }, steady(0.01), DEFAULT_RULE).anomalous).toBe(false);
    expect(detectErrorSpike({ logCount: 1000, errorCount: 40 }, steady(0.0), DEFAULT_RULE).anomalous).toBe(false);
    expect(detectErrorSpike({ logCount: 1000, errorCount: 60 }, steady(0.0), DEFAULT_RULE).anomalous).toBe(true);
  });

  it('judges nothing without a baseline (a brand-new service)', () => {
    expect(detectErrorSpike({ logCount: 100, errorCount: 90 }, [0.01, 0.01], DEFAULT_RULE).anomalous).toBe(false);
  });

  it('sensitivity moves the band', () => {
    const history = steady(0.1);
    const w = { logCount: 400, errorCount: 70 }; // 17.5% vs 10% with sampling noise 1.5%
    expect(detectErrorSpike(w, history, { ...DEFAULT_RULE, sensitivity: 'high' }).anomalous).toBe(true);
    expect(detectErrorSpike(w, history, { ...DEFAULT_RULE, sensitivity: 'low' }).anomalous).toBe(false);
  });
});

describe('high_latency detector', () => {
  const history = Array.from({ length: 20 }, (_, i) => 150 + (i % 7) * 3);

  it('fires on p95 150 ms -> 2.5 s, severity high (2.5x the 1000 ms floor)', () => {
    const v = detectHighLatency({ latencyCount: 200, latencyP95: 2500 }, history, DEFAULT_RULE);
    expect(v).toMatchObject({ anomalous: true, value: 2500, threshold: 1000, severity: 'high' });
  });

  it('not under the absolute floor, however far from the baseline', () => {
    expect(detectHighLatency({ latencyCount: 200, latencyP95: 900 }, history, DEFAULT_RULE).anomalous).toBe(false);
  });

  it('not for a service that is always slow', () => {
    const slow = Array.from({ length: 20 }, (_, i) => 2000 + (i % 5) * 50);
    expect(detectHighLatency({ latencyCount: 200, latencyP95: 2300 }, slow, DEFAULT_RULE).anomalous).toBe(false);
    const v = detectHighLatency({ latencyCount: 200, latencyP95: 6000 }, slow, DEFAULT_RULE);
    expect(v.anomalous).toBe(true);
  });

  it('not on too few samples', () => {
    expect(detectHighLatency({ latencyCount: 2, latencyP95: 5000 }, history, DEFAULT_RULE).anomalous).toBe(false);
    expect(detectHighLatency({ latencyCount: 0, latencyP95: null }, history, DEFAULT_RULE).anomalous).toBe(false);
  });
});

describe('service_down detector', () => {
  it('fires after downAfterWindows silent windows of a recently active service', () => {
    const s = { silentWindows: 5, recentlyActive: true, typicalLogCount: 100 };
    expect(detectServiceDown({ logCount: 0 }, { ...s, silentWindows: 4 }, DEFAULT_RULE).anomalous).toBe(false);
    expect(detectServiceDown({ logCount: 0 }, s, DEFAULT_RULE)).toMatchObject({ anomalous: true, value: 5, threshold: 5, baseline: 100, severity: 'high' });
    expect(detectServiceDown({ logCount: 0 }, { ...s, recentlyActive: false }, DEFAULT_RULE).anomalous).toBe(false);
    expect(detectServiceDown({ logCount: 3 }, s, DEFAULT_RULE).anomalous).toBe(false);
  });
});
