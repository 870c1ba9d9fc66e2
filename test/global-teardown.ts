import { rmSync } from 'node:fs';
import { adminQuery } from './helpers/test-database';

export default async function globalTeardown(): Promise<void> {
  if (process.env.TRACER_TEST_TEMPLATE_DB) {
    await adminQuery(`DROP DATABASE IF EXISTS ${process.env.TRACER_TEST_TEMPLATE_DB} WITH (FORCE)`);
  }
  if (process.env.TRACER_TEST_TEMPLATE_DIR) {
    rmSync(process.env.TRACER_TEST_TEMPLATE_DIR, { recursive: true, force: true });
  }
}
