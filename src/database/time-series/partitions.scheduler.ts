import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TaskScheduler } from '../../common/scheduling/task-scheduler.service';
import { PartitionMaintainer } from './partition-maintainer.service';

/**
 * Partition maintenance: once at boot (after every module registered its tables, so today's and the next
 * days' partitions exist before the first writes) and hourly after, on one replica of the cluster at a time.
 */
@Injectable()
export class PartitionsScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly maintainer: PartitionMaintainer,
    private readonly scheduler: TaskScheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const task = this.scheduler.schedule({ name: 'partition-maintenance', everyMs: 3_600_000, oncePerCluster: true, run: () => this.maintainer.maintain() });
    await task.runNow();
  }
}
