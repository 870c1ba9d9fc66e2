import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Whether this process has begun to shut down, for GET /readyz: a draining replica reports "not ready"
 * on the connections it still serves, so a load balancer stops sending it new work. Set by the SIGTERM
 * handler (installGracefulShutdown's onDrainStart) and, for app.close() without a signal, by Nest's hook.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private since?: Date;

  get shuttingDown(): boolean {
    return this.since !== undefined;
  }

  begin(): void {
    this.since ??= new Date();
  }

  beforeApplicationShutdown(): void {
    this.begin();
  }
}
