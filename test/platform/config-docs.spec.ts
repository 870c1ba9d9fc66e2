import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from '../../src/config/config.schema';

const root = join(__dirname, '../..');

describe('configuration is documented', () => {
  const variables = Object.keys(envSchema.shape).filter((v) => v !== 'NODE_ENV');

  it('.env.example lists every variable', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const missing = variables.filter((v) => !new RegExp(`^${v}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });

  it('the README table has every variable', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const missing = variables.filter((v) => !readme.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});
