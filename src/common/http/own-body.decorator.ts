import { SetMetadata } from '@nestjs/common';

export const OWN_BODY = 'tracer:own-body';

/**
 * Marks a route that reads its request body itself (the ingest admission pipeline), so the JSON body
 * interceptor leaves the stream alone.
 */
export const OwnBody = () => SetMetadata(OWN_BODY, true);
