import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TaskScheduler } from '../../src/common/scheduling/task-scheduler.service';
import type { DatabaseService } from '../../src/database/database.service';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TaskScheduler', () => {
  let registry: SchedulerRegistry;
  let scheduler: TaskScheduler;
  const locked: string[] = [];
  const db = {
    withClusterLock: async (_ns: number, name: string, work: () => Promise<unknown>) => {
      locked.push(name);
      return work();
    },
  } as unknown as DatabaseService;

  beforeEach(() => {
    registry = new SchedulerRegistry();
    scheduler = new TaskScheduler(registry, db);
    locked.length = 0;
  });
  afterEach(() => scheduler.beforeApplicationShutdown());

  it('registers its interval in the SchedulerRegistry and removes it on stop', async () => {
    const task = scheduler.schedule({ name: 't-registry', everyMs: 60_000, run: async () => undefined });
    expect(registry.doesExist('interval', 't-registry')).toBe(true);
    await task.stop();
    expect(registry.doesExist('interval', 't-registry')).toBe(false);
    expect(() => scheduler.schedule({ name: 't-dup', everyMs: 1000, run: async () => undefined })).not.toThrow();
    expect(() => scheduler.schedule({ name: 't-dup', everyMs: 1000, run: async () => undefined })).toThrow(/twice/);
  });

  it('never overlaps: ticks during a pass are dropped, a kick runs exactly one more pass', async () => {
    const gate = deferred();
    let passes = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const task = scheduler.schedule({
      name: 't-overlap',
      everyMs: 60_000,
      run: async () => {
        passes++;
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        if (passes === 1) await gate.promise;
        concurrent--;
      },
    });
    task.tick();
    task.tick();
    task.tick();
    task.kick();
    task.kick();
    gate.resolve();
    await task.runNow();
    // Pass 1 (held), then ONE more pass for every request made during it: the two kicks and runNow's.
    expect(passes).toBe(2);
    await task.runNow();
    expect(passes).toBe(3);
    expect(maxConcurrent).toBe(1);
  });

  it('stop() waits for the pass in progress and no pass starts afterwards', async () => {
    const gate = deferred();
    let finished = false;
    let passes = 0;
    const task = scheduler.schedule({
      name: 't-stop',
      everyMs: 60_000,
      run: async () => {
        passes++;
        await gate.promise;
        finished = true;
      },
    });
    task.tick();
    const stopping = task.stop();
    setTimeout(gate.resolve, 20);
    await stopping;
    expect(finished).toBe(true);
    task.tick();
    task.kick();
    await task.runNow();
    expect(passes).toBe(1);
  });

  it('logs a failing pass and keeps the task alive', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    let calls = 0;
    const task = scheduler.schedule({
      name: 't-fail',
      everyMs: 60_000,
      run: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    await task.runNow();
    await task.runNow();
    expect(calls).toBe(2);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('t-fail failed: boom'));
    error.mockRestore();
  });

  it('takes the cluster lock only for once-per-cluster tasks', async () => {
    await scheduler.schedule({ name: 't-local', everyMs: 60_000, run: async () => undefined }).runNow();
    await scheduler.schedule({ name: 't-cluster', everyMs: 60_000, run: async () => undefined, oncePerCluster: true }).runNow();
    expect(locked).toEqual(['t-cluster']);
  });

  it('ticks on its interval', async () => {
    let passes = 0;
    scheduler.schedule({ name: 't-interval', everyMs: 10, run: async () => void passes++ });
    await new Promise((r) => setTimeout(r, 120));
    expect(passes).toBeGreaterThanOrEqual(2);
  });
});
