import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error';

/** What loadEnvFile did, for the boot log. */
export interface EnvFileResult {
  /** The file read, or undefined when there was none (no TRACER_ENV_FILE and no ./.env). */
  path?: string;
  /** Variables taken from the file (those not already set in the environment). */
  applied: string[];
}

/**
 * Loads `TRACER_ENV_FILE`, or else `.env` in `cwd` when it exists, into `env`. Variables already set in
 * `env` win over the file (an operator's `export` or a container's environment overrides the file), so
 * the file only fills gaps. A missing default `.env` is normal; a missing file that TRACER_ENV_FILE names
 * explicitly is a boot error naming it. Uses Node's own parser (`util.parseEnv`, the one behind
 * `--env-file`), so the syntax is Node's: `KEY=value`, quotes, `#` comments, `export` prefixes not allowed.
 */
export function loadEnvFile(env: Record<string, string | undefined>, cwd = process.cwd()): EnvFileResult {
  const explicit = env.TRACER_ENV_FILE?.trim() || undefined;
  const path = resolve(cwd, explicit ?? '.env');
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError([{ variable: 'TRACER_ENV_FILE', message: `names a file that does not exist: ${path}` }]);
    return { applied: [] };
  }
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (e) {
    throw new ConfigError([{ variable: explicit ? 'TRACER_ENV_FILE' : '.env', message: `could not be read (${path}): ${(e as Error).message}` }]);
  }
  const applied: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (env[key] !== undefined) continue;
    env[key] = value;
    applied.push(key);
  }
  return { path, applied };
}
