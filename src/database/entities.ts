import { AlertChannelEntity } from '../alert-channels/entities/alert-channel.entity';
import { ApiKeyEntity } from '../api-keys/entities/api-key.entity';
import { ServiceEntity } from '../ingestion/entities/service.entity';
import { AlertEventEntity } from '../anomalies/alerts/entities/alert-event.entity';
import { AlertEntity } from '../anomalies/alerts/entities/alert.entity';
import { AnomalyRuleEntity } from '../anomalies/rules/entities/anomaly-rule.entity';
import { SilenceEntity } from '../anomalies/silences/entities/silence.entity';

/**
 * Every TypeORM entity of the app. Most SQL that matters is written by hand in repository classes; the
 * entities serve the simple CRUD tables.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const ENTITIES: Function[] = [
  AlertEntity,
  AlertEventEntity,
  AnomalyRuleEntity,
  SilenceEntity,
  ApiKeyEntity,
  AlertChannelEntity,
  ServiceEntity,
];
