import { DEFAULT_RULE, detectTrafficDrop, type DetectionRule } from '../../src/anomalies/detection/detectors';

const rule: DetectionRule = { ...DEFAULT_RULE };
const steady = Array.from({ length: 20 }, (_, i) => 1000 + (i % 5) * 10); // 1000..1040, median 1020

describe('detectTrafficDrop', () => {
  it('flags a fall to a tenth of the usual volume, with the numbers and a high severity', () => {
    const v = detectTrafficDrop({ logCount: 100 }, steady, rule, false);
    expect(v).toEqual({
      anomalous: true,
      value: 100,
      threshold: 204,
      baseline: 1020,
      severity: 'high',
      message: 'Volume fell to 100 logs in the window, 9.8% of the usual 1020',
    });
  });

  it('is high below a tenth and medium from a tenth up to the bar', () => {
    expect(detectTrafficDrop({ logCount: 50 }, steady, rule, false)).toMatchObject({ anomalous: true, severity: 'high' });
    expect(detectTrafficDrop({ logCount: 150 }, steady, rule, false)).toMatchObject({ anomalous: true, severity: 'medium' });
  });

  it('ignores a drop that stays above a fifth of the usual volume', () => {
    expect(detectTrafficDrop({ logCount: 210 }, steady, rule, false)).toEqual({ anomalous: false });
    expect(detectTrafficDrop({ logCount: 600 }, steady, rule, false)).toEqual({ anomalous: false });
  });

  it('leaves a silent window to service_down, unless a traffic_drop is already open', () => {
    expect(detectTrafficDrop({ logCount: 0 }, steady, rule, false)).toEqual({ anomalous: false });
    expect(detectTrafficDrop({ logCount: 0 }, steady, rule, true)).toMatchObject({ anomalous: true, value: 0 });
  });

  it('once open, stays a drop until volume is back above half the usual (no flapping around the bar)', () => {
    expect(detectTrafficDrop({ logCount: 300 }, steady, rule, true)).toMatchObject({ anomalous: true });
    expect(detectTrafficDrop({ logCount: 500 }, steady, rule, true)).toMatchObject({ anomalous: true });
    expect(detectTrafficDrop({ logCount: 520 }, steady, rule, true)).toEqual({ anomalous: false });
  });

  it('judges nothing for a quiet service, a short history, or with the detector turned off', () => {
    const quiet = Array.from({ length: 20 }, () => 80);
    expect(detectTrafficDrop({ logCount: 1 }, quiet, rule, false)).toEqual({ anomalous: false });
    expect(detectTrafficDrop({ logCount: 1 }, quiet, { ...rule, trafficMinLogs: 50 }, false)).toMatchObject({ anomalous: true });
    expect(detectTrafficDrop({ logCount: 10 }, steady.slice(0, 4), rule, false)).toEqual({ anomalous: false });
    expect(detectTrafficDrop({ logCount: 10 }, steady, { ...rule, trafficDropRatio: 0 }, false)).toEqual({ anomalous: false });
  });

  it('needs a deeper fall for a service whose volume swings widely', () => {
    // Swings between half and all of 1000 logs (median 750): its spread lowers the bar from 150 logs to
    // a quarter of it, so only a fall under 5% of the usual counts.
    const swinging = Array.from({ length: 20 }, (_, i) => (i % 2 ? 500 : 1000));
    expect(detectTrafficDrop({ logCount: 140 }, swinging, rule, false)).toEqual({ anomalous: false });
    expect(detectTrafficDrop({ logCount: 40 }, swinging, rule, false)).toEqual({ anomalous: false });
    expect(detectTrafficDrop({ logCount: 30 }, swinging, rule, false)).toMatchObject({ anomalous: true, threshold: 38, severity: 'high' });
    // A steady 1000 with a little noise: the ratio bar applies as is.
    expect(detectTrafficDrop({ logCount: 150 }, steady, { ...rule, trafficDropRatio: 0.2 }, false)).toMatchObject({ anomalous: true });
  });
});
