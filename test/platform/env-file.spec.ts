import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/app-config';
import { loadEnvFile } from '../../src/config/env-file';

describe('.env loading', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracer-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads ./.env, real variables winning over the file', () => {
    writeFileSync(join(dir, '.env'), 'PORT=4100\nLOG_LEVEL=debug\n# a comment\nTRACER_ADMIN_KEY="trc_from-the-file-123456"\n');
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn' };
    const result = loadEnvFile(env, dir);
    expect(result).toEqual({ path: join(dir, '.env'), applied: ['PORT', 'TRACER_ADMIN_KEY'] });
    expect(env).toEqual({ LOG_LEVEL: 'warn', PORT: '4100', TRACER_ADMIN_KEY: 'trc_from-the-file-123456' });
    const config = loadConfig(env);
    expect(config.port).toBe(4100);
    expect(config.logLevel).toBe('warn');
  });

  it('an empty real variable still wins (it was set on purpose)', () => {
    writeFileSync(join(dir, '.env'), 'DATABASE_URL=postgres://x@h/db\n');
    const env: Record<string, string | undefined> = { DATABASE_URL: '' };
    loadEnvFile(env, dir);
    expect(env.DATABASE_URL).toBe('');
    expect(loadConfig(env).databaseUrl).toBeUndefined();
  });

  it('TRACER_ENV_FILE names another file (relative to the working directory), and ./.env is then not read', () => {
    writeFileSync(join(dir, '.env'), 'PORT=1111\n');
    writeFileSync(join(dir, 'prod.env'), 'PORT=2222\n');
    const env: Record<string, string | undefined> = { TRACER_ENV_FILE: 'prod.env' };
    expect(loadEnvFile(env, dir).path).toBe(join(dir, 'prod.env'));
    expect(env.PORT).toBe('2222');
  });

  it('no ./.env is fine; a missing TRACER_ENV_FILE stops the boot naming it', () => {
    const env: Record<string, string | undefined> = {};
    expect(loadEnvFile(env, dir)).toEqual({ applied: [] });
    expect(env).toEqual({});
    const explicit = { TRACER_ENV_FILE: 'nope.env' };
    expect(() => loadEnvFile(explicit, dir)).toThrow(ConfigError);
    expect(() => loadEnvFile(explicit, dir)).toThrow(`TRACER_ENV_FILE names a file that does not exist: ${join(dir, 'nope.env')}`);
  });
});

describe('TRUST_PROXY and SHUTDOWN_TIMEOUT_SECONDS', () => {
  it('defaults: no proxy trusted, an 8 s drain (below docker stop\'s 10 s)', () => {
    const config = loadConfig({});
    expect(config.trustProxy).toBe(false);
    expect(config.shutdownTimeoutMs).toBe(8000);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['2', 2],
    ['10.0.0.0/8', ['10.0.0.0/8']],
    ['loopback, 172.16.0.0/12 ,fd00::/8,192.0.2.1', ['loopback', '172.16.0.0/12', 'fd00::/8', '192.0.2.1']],
  ])('TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['true', '10.0.0.0/33', 'proxy.example', '1.2.3.4/8/2', '99'])('refuses TRUST_PROXY=%s naming the variable', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be false, a hop count/);
  });

  it('refuses a zero shutdown timeout', () => {
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS must be between 1 and 3600/);
  });
});
