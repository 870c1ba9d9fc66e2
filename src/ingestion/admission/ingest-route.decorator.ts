import { applyDecorators } from '@nestjs/common';
import { Scopes } from '../../common/auth/scopes.decorator';
import { OwnBody } from '../../common/http/own-body.decorator';

/**
 * An ingest route of any wire format: the `ingest` scope, and the body left to the admission pipeline
 * (read after the AuthGuard, with its limits) rather than a body parser. (`@HttpCode` stays on each route:
 * the Swagger plugin reads it there.)
 */
export const IngestRoute = () => applyDecorators(Scopes('ingest'), OwnBody());
