import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { TracerEventName, TracerEventPayloads } from './events';

/**
 * Typed emit over the Nest event emitter: the compiler checks each event's name and payload against
 * the catalogue. Call it only after the transaction the event describes has committed.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger(EventBus.name);

  constructor(private readonly emitter: EventEmitter2) {}

  emit<K extends TracerEventName>(name: K, payload: TracerEventPayloads[K]): void {
    try {
      this.emitter.emit(name, payload);
    } catch (e) {
      // A listener's failure must never break the request that emitted the event.
      this.logger.error(`listener of ${name} failed: ${(e as Error).message}`);
    }
  }
}

/**
 * `@OnEvent` for a catalogued event. Listeners run asynchronously and must catch and log their own
 * errors; a failing listener never reaches the emitter.
 */
export const OnTracerEvent = (name: TracerEventName) => OnEvent(name, { async: true, promisify: true, suppressErrors: true });
