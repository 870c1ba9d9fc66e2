import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DatabaseService } from '../../database/database.service';

/** Periodic work, declared once by a `*.scheduler.ts` provider. */
export interface PeriodicTaskSpec {
  /** Unique; the interval's name in @nestjs/schedule's registry and in log lines. */
  name: string;
  everyMs: number;
  /** The work: one service method call. Errors are logged, never thrown out of the timer. */
  run: () => Promise<unknown>;
  /**
   * Run by one replica at a time across the cluster (a PostgreSQL advisory lock held for the pass; a
   * replica that cannot take it skips the pass). For housekeeping whose result is global (retention,
   * partitions); window and delivery work is claimed row by row and needs none.
   */
  oncePerCluster?: boolean;
}

/** Advisory-lock namespace of Tracer's periodic tasks (the second key is hashtext(task name)). */
const LOCK_NAMESPACE = 0x7472; // 'tr'

/**
 * A scheduled task: never overlaps itself (a tick during a pass is dropped, a `kick()` during a pass runs
 * one more pass right after), and `stop()` waits for the pass in progress.
 */
export class ScheduledTask {
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    readonly spec: PeriodicTaskSpec,
    private readonly pass: () => Promise<void>,
    private readonly onStop: () => void,
  ) {}

  /** The interval's tick: starts a pass unless one is running. */
  tick(): void {
    if (!this.running) this.start();
  }

  /** Asks for a pass now (an event hint): one more pass after the running one, if any. */
  kick(): void {
    if (this.running) this.again = true;
    else this.start();
  }

  /** Runs a pass and waits for it (the same no-overlap rule as the ticks). */
  async runNow(): Promise<void> {
    this.kick();
    await this.running;
  }

  /** Stops the ticks and waits for the pass in progress (shutdown; tests that drive the work by hand). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.onStop();
    await this.running;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private start(): void {
    if (this.stopped) return;
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
  }
}

/**
 * The one way Tracer schedules periodic work. Timers live in @nestjs/schedule's SchedulerRegistry; every
 * task is stopped (and its running pass awaited) before the database closes on shutdown.
 */
@Injectable()
export class TaskScheduler implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private readonly tasks = new Map<string, ScheduledTask>();

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly db: DatabaseService,
  ) {}

  schedule(spec: PeriodicTaskSpec): ScheduledTask {
    if (this.tasks.has(spec.name)) throw new Error(`periodic task ${spec.name} is scheduled twice`);
    const task = new ScheduledTask(spec, () => this.pass(spec), () => this.unregister(spec.name));
    this.tasks.set(spec.name, task);
    this.registry.addInterval(spec.name, setInterval(() => task.tick(), spec.everyMs));
    return task;
  }

  get(name: string): ScheduledTask | undefined {
    return this.tasks.get(name);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((t) => t.stop()));
  }

  private unregister(name: string): void {
    if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
  }

  private async pass(spec: PeriodicTaskSpec): Promise<void> {
    try {
      if (spec.oncePerCluster) await this.db.withClusterLock(LOCK_NAMESPACE, spec.name, spec.run);
      else await spec.run();
    } catch (e) {
      this.logger.error(`${spec.name} failed: ${(e as Error).message}`);
    }
  }
}
