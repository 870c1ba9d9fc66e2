export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** A row of alert_deliveries (written by the outbox's raw SQL, see DeliveryOutboxRepository): one alert event for one channel, the unit of the outbox. */
export interface AlertDeliveryRow {
  id: string;
  alert_event_id: string;
  channel_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  send_id: string | null;
  digested: boolean;
  last_status: number | null;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Date;
}

/** A row of alert_delivery_attempts: one attempt of one delivery. */
export interface AlertDeliveryAttemptRow {
  id: string;
  delivery_id: string;
  send_id: string;
  attempt: number;
  status: number | null;
  error: string | null;
  outcome: 'sent' | 'retry' | 'failed' | 'lease_expired';
  digest_size: number;
  at: Date;
}
