import { DEFAULT_RULE, detectNewTemplate, detectTrafficDrop, type DetectionRule } from '../../src/anomalies/detection/detectors';

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

describe('detectNewTemplate', () => {
  const t = (template: string, count: number, isNew: boolean) => ({ template, count, share: 0, new: isNew, firstSeen: '2026-12-01T00:00:00.000Z', exampleLogId: '1' });
  const on = { ...DEFAULT_RULE, newTemplateAlerts: true, newTemplateMinCount: 20 };

  it('opens a low alert for a new template that reaches the count, with it as evidence', () => {
    const v = detectNewTemplate([t('old <num>', 90, false), t('tls handshake failed with <ip>', 25, true), t('rare <num>', 3, true)], on);
    expect(v).toEqual({
      anomalous: true,
      value: 25,
      threshold: 20,
      baseline: null,
      severity: 'low',
      message: 'New error: "tls handshake failed with <ip>" 25 times, not seen in the last 7 days',
      evidence: { topErrors: [t('tls handshake failed with <ip>', 25, true)] },
    });
  });

  it('stays quiet for known templates and new ones under the count', () => {
    expect(detectNewTemplate([t('old <num>', 900, false), t('rare <num>', 19, true)], on)).toEqual({ anomalous: false });
    expect(detectNewTemplate([], on)).toEqual({ anomalous: false });
  });
});
