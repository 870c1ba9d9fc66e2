import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'tracer:public';

/** Marks a route that needs no API key (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
