import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/** The config check of a real Tracer process (kept apart from the unit tests of config: it boots Tracer). */
describe('config at boot', () => {
  it('stops the real boot with the variable name and exit code 1', () => {
    const res = spawnSync(
      process.execPath,
      ['-r', join(root, 'test/helpers/ts-register.js'), join(root, 'src/main.ts')],
      { env: { PATH: process.env.PATH, METRICS_WINDOW_SECONDS: '0' }, encoding: 'utf8', timeout: 30000 },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('METRICS_WINDOW_SECONDS');
  });
});
