import { InitialSchema1795737600000 } from './1795737600000-InitialSchema';
import { ApiKeys1795737600010 } from './1795737600010-ApiKeys';
import { IngestIdempotency1795737600011 } from './1795737600011-IngestIdempotency';
import { Alerts1795737600100 } from './1795737600100-Alerts';
import { Metrics1795737600101 } from './1795737600101-Metrics';
import { Anomalies1795737600102 } from './1795737600102-Anomalies';
import { AlertChannels1795737600201 } from './1795737600201-AlertChannels';
import { AlertChannelPause1795737600202 } from './1795737600202-AlertChannelPause';
import { LogsErrorIndex1795737600301 } from './1795737600301-LogsErrorIndex';
import { LogIdBlocks1795737600302 } from './1795737600302-LogIdBlocks';
import { DetectionProgress1795737600400 } from './1795737600400-DetectionProgress';
import { LogSearchIndexes1795737600500 } from './1795737600500-LogSearchIndexes';
import { MetricsLatencyHistogram1795737600501 } from './1795737600501-MetricsLatencyHistogram';
import { OnCallChannelKinds1795737600600 } from './1795737600600-OnCallChannelKinds';
import { TrafficDrop1795737600610 } from './1795737600610-TrafficDrop';
import { MessageTemplates1795737600620 } from './1795737600620-MessageTemplates';
import { NewErrorTemplate1795737600630 } from './1795737600630-NewErrorTemplate';
import { AlertEventFanouts1795737600700 } from './1795737600700-AlertEventFanouts';
import { MetricRollups1795737600750 } from './1795737600750-MetricRollups';

/** Every migration, in order. Listed explicitly so that the built app and the tests load the same set. */
export const ALL_MIGRATIONS = [InitialSchema1795737600000, ApiKeys1795737600010, IngestIdempotency1795737600011, Alerts1795737600100, Metrics1795737600101, Anomalies1795737600102, AlertChannels1795737600201, AlertChannelPause1795737600202, LogsErrorIndex1795737600301, LogIdBlocks1795737600302, DetectionProgress1795737600400, LogSearchIndexes1795737600500, MetricsLatencyHistogram1795737600501, OnCallChannelKinds1795737600600, TrafficDrop1795737600610, MessageTemplates1795737600620, NewErrorTemplate1795737600630, AlertEventFanouts1795737600700, MetricRollups1795737600750];
