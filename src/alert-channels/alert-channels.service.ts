import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../common/auth/service-scope';
import { ApiError } from '../common/errors/api-error';
import { AlertsReader, type AlertEventFacts } from '../anomalies/alerts.reader';
import { AlertChannelsRepository, type ChannelWrite } from './alert-channels.repository';
import { ChannelRuntime } from './channel-runtime';
import type { AlertChannelDto, AlertChannelListDto } from './dto/alert-channel.dto';
import type { AlertDeliveryPageDto, ListDeliveriesQueryDto } from './dto/alert-delivery.dto';
import type { ChannelTestResultDto } from './dto/channel-test-result.dto';
import type { CreateAlertChannelDto } from './dto/create-alert-channel.dto';
import type { UpdateAlertChannelDto } from './dto/update-alert-channel.dto';
import { ALERT_EVENT_KINDS } from '../common/alert-vocabulary';
import type { AlertChannelEntity } from './entities/alert-channel.entity';
import type { AlertDeliveryAttemptRow, AlertDeliveryRow } from './delivery/delivery-rows';
import type { ChannelConfig, ChannelSender } from './senders/sender';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

/** Channel administration: create, read, update, delete, test, and the deliveries of a channel. */
@Injectable()
export class AlertChannelsService {
  constructor(
    private readonly repo: AlertChannelsRepository,
    private readonly runtime: ChannelRuntime,
    private readonly alerts: AlertsReader,
  ) {}

  async create(dto: CreateAlertChannelDto): Promise<AlertChannelDto> {
    const sender = this.runtime.senders.get(dto.kind);
    const config = await this.validated(sender, dto.config);
    const row = await this.repo.insert({
      name: dto.name,
      kind: dto.kind,
      config: this.runtime.secrets.seal(sender, config),
      minSeverity: dto.minSeverity ?? 'low',
      services: dto.services ?? null,
      events: dto.events ?? [...ALERT_EVENT_KINDS],
      enabled: dto.enabled ?? true,
      rateLimitPerMinute: dto.rateLimitPerMinute ?? 20,
    });
    return this.toDto(row);
  }

  async list(): Promise<AlertChannelListDto> {
    return { data: (await this.repo.list()).map((r) => this.toDto(r)) };
  }

  async get(id: string): Promise<AlertChannelDto> {
    return this.toDto(await this.find(id));
  }

  async update(id: string, dto: UpdateAlertChannelDto): Promise<AlertChannelDto> {
    const row = await this.find(id);
    const sender = this.runtime.senders.get(row.kind);
    let config = row.config;
    if (dto.config !== undefined) {
      const merged = this.runtime.secrets.merge(sender, row.config, dto.config);
      config = this.runtime.secrets.seal(sender, await this.validated(sender, merged));
    }
    const write: ChannelWrite = {
      name: dto.name ?? row.name,
      kind: row.kind,
      config,
      minSeverity: dto.minSeverity ?? row.minSeverity,
      services: dto.services === undefined ? row.services : dto.services,
      events: dto.events ?? row.events,
      enabled: dto.enabled ?? row.enabled,
      rateLimitPerMinute: dto.rateLimitPerMinute ?? row.rateLimitPerMinute,
    };
    const updated = await this.repo.update(id, write, new Date());
    if (!updated) throw ApiError.notFound('Alert channel not found');
    return this.toDto(updated);
  }

  async remove(id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.repo.delete(id))) throw ApiError.notFound('Alert channel not found');
  }

  /** Sends a test message through the channel's real path, now, outside the outbox and its rate limit. */
  async test(id: string): Promise<ChannelTestResultDto> {
    const row = await this.find(id);
    const now = new Date();
    const result = await this.runtime.send(row, { id: `test_${row.id}_${now.getTime()}`, kind: 'test', notices: [], channelName: row.name }, now);
    return { ok: result.ok, status: result.status, ...(result.error ? { error: result.error } : {}) };
  }

  async deliveries(id: string, q: ListDeliveriesQueryDto, scope: ServiceScope): Promise<AlertDeliveryPageDto> {
    await this.find(id);
    const limit = q.limit ?? 50;
    const rows = await this.repo.deliveries(id, limit + 1, q.cursor ?? null, q.status ?? null);
    const page = rows.slice(0, limit);
    const attempts = await this.repo.attempts(page.map((r) => String(r.id)));
    // The alert side of each delivery (event, severity, service, type) is the anomalies module's to tell.
    const facts = new Map((await this.alerts.events(page.map((r) => String(r.alert_event_id)))).map((e) => [e.alertEventId, e]));
    return {
      data: page.flatMap((r) => {
        const e = facts.get(String(r.alert_event_id));
        // A service-bound key sees only its service's deliveries: a page may then hold fewer than `limit`
        // rows, and nextCursor still continues after the last row read.
        return e && scope.allows(e.service) ? [this.deliveryDto(r, e, attempts.filter((a) => String(a.delivery_id) === String(r.id)))] : [];
      }),
      nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null,
    };
  }

  private async find(id: string): Promise<AlertChannelEntity> {
    const row = UUID.test(id) ? await this.repo.get(id) : null;
    if (!row) throw ApiError.notFound('Alert channel not found');
    return row;
  }

  private async validated(sender: ChannelSender, config: ChannelConfig): Promise<ChannelConfig> {
    const { config: clean, problems } = await sender.validate(config);
    if (problems.length) throw ApiError.badRequest('Invalid channel config', problems);
    return clean;
  }

  private toDto(r: AlertChannelEntity): AlertChannelDto {
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      config: this.runtime.secrets.mask(this.runtime.senders.get(r.kind), r.config),
      minSeverity: r.minSeverity,
      services: r.services,
      events: r.events,
      enabled: r.enabled,
      rateLimitPerMinute: r.rateLimitPerMinute,
      createdAt: iso(r.createdAt)!,
      updatedAt: iso(r.updatedAt)!,
    };
  }

  private deliveryDto(r: AlertDeliveryRow, e: AlertEventFacts, attempts: AlertDeliveryAttemptRow[]) {
    return {
      id: String(r.id),
      alertEventId: String(r.alert_event_id),
      alertId: e.alertId,
      event: e.event,
      severity: e.severity,
      service: e.service,
      type: e.type,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: iso(r.next_attempt_at)!,
      lastStatus: r.last_status,
      lastError: r.last_error,
      sentAt: iso(r.sent_at),
      digested: r.digested,
      createdAt: iso(r.created_at)!,
      history: attempts.map((a) => ({
        attempt: a.attempt,
        status: a.status,
        error: a.error,
        outcome: a.outcome,
        digestSize: a.digest_size,
        at: iso(a.at)!,
      })),
    };
  }
}
