import { Logger } from '@nestjs/common';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { createTestApp, type TestApp } from '../helpers/test-app';

/** Issue 16: a catch-up of missed windows after downtime says how much there is, and when it is done. */
describe('window catch-up progress lines', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('logs the backlog at the start and a summary once the windows are current; a normal tick logs nothing', async () => {
    t = await createTestApp();
    const h = new DetectionHarness(t, windowStartOf(Date.now() - 3 * 3600_000, 3600));
    const lines: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation(function (this: Logger, message: unknown) {
      if ((this as unknown as { context?: string }).context === 'MetricsService') lines.push(String(message));
    });
    try {
      await h.runWindow(0); // aggregated before "the downtime"
      expect(lines).toEqual([]);
      const now = new Date(h.w(30).getTime() + 11_000); // back during window 30: windows 1..29 are due
      const done = await h.metrics.runDue(now);
      expect(done).toHaveLength(29);
      expect(lines[0]).toBe(`window catch-up from ${h.w(1).toISOString()}: 29 windows to do`);
      expect(await h.metrics.runDue(now)).toEqual([]);
      expect(lines.at(-1)).toMatch(new RegExp(`^window catch-up from ${h.w(1).toISOString()}: 29 windows done in [\\d.]+ (ms|s); windows are current$`));
      const count = lines.length;
      await h.metrics.runDue(new Date(h.w(31).getTime() + 11_000)); // one window due: an ordinary tick
      expect(lines).toHaveLength(count);
    } finally {
      spy.mockRestore();
    }
  });
});
