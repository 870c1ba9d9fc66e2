import type TestAgent from 'supertest/lib/agent';
import type { LogPageDto } from '../../src/ingestion/dto/log.dto';
import { asAdmin } from './test-app';

/** Posts logs as admin and expects 202; returns the response body. */
export async function postLogs(http: TestAgent, logs: Record<string, unknown>[]): Promise<{ accepted: number; rejected: number; errors: unknown[] }> {
  const res = await http.post('/logs').set(asAdmin).send({ logs });
  if (res.status !== 202) throw new Error(`POST /logs answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** GET /logs as admin with a query object; expects 200. */
export async function getLogs(http: TestAgent, query: Record<string, string | number>): Promise<LogPageDto> {
  const res = await http.get('/logs').query(query).set(asAdmin);
  if (res.status !== 200) throw new Error(`GET /logs answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
