import { Global, Module } from '@nestjs/common';
import { TaskScheduler } from './task-scheduler.service';

/** The TaskScheduler, for every module's `*.scheduler.ts` providers. */
@Global()
@Module({ providers: [TaskScheduler], exports: [TaskScheduler] })
export class SchedulingModule {}
