import express from 'express';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { TracerClient, tracerMiddleware } from '../../sdk/src';
import { getLogs } from '../helpers/logs';
import { TEST_ADMIN_KEY, createTestApp, type TestApp } from '../helpers/test-app';

describe('tracerMiddleware (Express) against the real app', () => {
  let t: TestApp;
  let tracer: TracerClient;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    tracer = new TracerClient({ service: 'sdk-express', apiUrl: `http://127.0.0.1:${port}`, apiKey: TEST_ADMIN_KEY, flushIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await tracer?.shutdown();
    await t?.close();
  });

  it('logs method, route pattern, path, status and latency (ms) for every request, with the level from the status', async () => {
    const app = express();
    app.use(tracerMiddleware(tracer, { skip: (req) => req.url === '/health' }));
    const api = express.Router();
    api.get('/users/:id', (req, res) => void res.json({ id: req.params.id }));
    api.get('/slow', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 60));
      res.send('ok');
    });
    api.post('/orders', (_req, res) => void res.status(422).json({ error: 'invalid' }));
    app.use('/api', api);
    app.get('/', (_req, res) => void res.send('home'));
    app.get('/boom', () => {
      throw new Error('kaboom');
    });
    app.get('/health', (_req, res) => void res.send('ok'));

    const http = request(app);
    await http.get('/api/users/42?token=secret').expect(200);
    await http.get('/api/slow').expect(200);
    await http.post('/api/orders').expect(422);
    await http.get('/').expect(200);
    await http.get('/boom').expect(500);
    await http.get('/nowhere').expect(404);
    await http.get('/health').expect(200);
    await tracer.flush();

    const { data } = await getLogs(t.http, { service: 'sdk-express' });
    const byPath = Object.fromEntries(data.map((l) => [(l.metadata as { path: string }).path, l]));
    expect(Object.keys(byPath).sort()).toEqual(['/', '/api/orders', '/api/slow', '/api/users/42', '/boom', '/nowhere']);
    expect(byPath['/api/users/42']).toMatchObject({
      level: 'info',
      message: 'GET /api/users/:id 200',
      metadata: { method: 'GET', route: '/api/users/:id', path: '/api/users/42', status: 200, latency: expect.any(Number) },
    });
    expect((byPath['/api/slow'].metadata as { latency: number }).latency).toBeGreaterThanOrEqual(55);
    expect(byPath['/api/orders']).toMatchObject({ level: 'warn', metadata: { route: '/api/orders', status: 422 } });
    expect(byPath['/']).toMatchObject({ message: 'GET / 200', metadata: { route: '/' } });
    expect(byPath['/boom']).toMatchObject({ level: 'error', metadata: { route: '/boom', status: 500 } });
    expect(byPath['/nowhere']).toMatchObject({ level: 'warn', message: 'GET /nowhere 404', metadata: { route: null, status: 404 } });
  });
});
