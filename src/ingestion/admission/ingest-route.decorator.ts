import { applyDecorators, HttpCode } from '@nestjs/common';
import { Scopes } from '../../common/auth/scopes.decorator';
import { OwnBody } from '../../common/http/own-body.decorator';

/**
 * An ingest route of any wire format: the `ingest` scope, and the body left to the admission pipeline
 * (read after the AuthGuard, with its limits) rather than a body parser. `status` is the format's success code.
 */
export const IngestRoute = (status: number) => applyDecorators(Scopes('ingest'), OwnBody(), HttpCode(status));
