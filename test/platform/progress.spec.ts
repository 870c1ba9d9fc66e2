import { Progress } from '../../src/common/progress/progress';

describe('Progress', () => {
  it('says the amount of work, reports at most once per interval with rate and time left, and sums up', () => {
    const lines: string[] = [];
    let t = 0;
    const p = new Progress({ label: 'window catch-up', total: 100, unit: 'windows', log: (l) => lines.push(l), everyMs: 5000, now: () => t });
    expect(lines).toEqual(['window catch-up: 100 windows to do']);
    for (let i = 0; i < 10; i++) {
      t += 400;
      p.advance();
    }
    expect(lines).toHaveLength(1); // 4 s: not yet
    t += 1000;
    p.advance();
    expect(lines[1]).toBe('window catch-up: 11/100 windows (11 %), ~40.5 s left, 2/s');
    t += 100;
    p.advance(89);
    expect(lines).toHaveLength(2);
    t += 500;
    expect(p.finish('windows are current')).toBe(5600);
    expect(lines[2]).toBe('window catch-up: 100 windows done in 5.6 s; windows are current');
  });

  it('without a total counts units and rate; everyMs 0 reports every step with its detail', () => {
    const lines: string[] = [];
    let t = 1000;
    const p = new Progress({ label: 'send', unit: 'lines', log: (l) => lines.push(l), everyMs: 0, now: () => t });
    t += 2000;
    p.advance(30_000, 'batch 30');
    expect(lines).toEqual(['send: started', 'send: 30,000 lines, 15,000/s — batch 30']);
    expect(p.count).toBe(30_000);
  });
});
