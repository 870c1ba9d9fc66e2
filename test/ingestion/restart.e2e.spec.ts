import { createTestApp } from '../helpers/test-app';
import { getLogs, postLogs } from '../helpers/logs';
import { createTestDatabase } from '../helpers/test-database';

describe('persistence across a restart', () => {
  it('keeps acknowledged logs when the app is stopped and started on the same data', async () => {
    const database = await createTestDatabase();
    const first = await createTestApp({ database });
    await postLogs(first.http, Array.from({ length: 25 }, (_, i) => ({ level: 'info', service: 'restart', message: `r${i}` })));
    await first.close({ keepDatabase: true });

    const second = await createTestApp({ database });
    try {
      const page = await getLogs(second.http, { service: 'restart', limit: 100 });
      expect(page.data).toHaveLength(25);
      await postLogs(second.http, [{ level: 'info', service: 'restart', message: 'after' }]);
      expect((await getLogs(second.http, { service: 'restart', limit: 100 })).data).toHaveLength(26);
    } finally {
      await second.close();
    }
  });
});
