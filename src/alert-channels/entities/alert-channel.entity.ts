import type { AlertEventKind, Severity } from '../../common/alert-vocabulary';
import type { ChannelConfig, ChannelKind } from '../senders/sender';

/** A row of alert_channels; `config` holds secrets sealed (see SecretBox). */
export interface AlertChannelRow {
  id: string;
  name: string;
  kind: ChannelKind;
  config: ChannelConfig;
  min_severity: Severity;
  services: string[] | null;
  events: AlertEventKind[];
  enabled: boolean;
  rate_limit_per_minute: number;
  /** Set when the receiver answered 429: nothing is sent to the channel before then. */
  paused_until: Date | null;
  created_at: Date;
  updated_at: Date;
}
