import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TaskScheduler } from '../common/scheduling/task-scheduler.service';
import { IdempotencyJanitor } from './idempotency-janitor';

/** The periodic work of ingestion: hourly, forget expired Idempotency-Key answers. */
@Injectable()
export class IngestionScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly janitor: IdempotencyJanitor,
    private readonly scheduler: TaskScheduler,
  ) {}

  onApplicationBootstrap(): void {
    // Every replica may run it: the DELETE is idempotent and cheap, so no cluster lock is needed.
    this.scheduler.schedule({ name: 'idempotency-janitor', everyMs: 3_600_000, run: () => this.janitor.run() });
  }
}
