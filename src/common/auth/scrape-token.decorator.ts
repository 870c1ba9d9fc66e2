import { SetMetadata } from '@nestjs/common';

export const ALLOW_SCRAPE_TOKEN = 'tracer:scrape-token';

/** Also accepts INTERNAL_METRICS_TOKEN as the bearer token, so a Prometheus scraper needs no admin key. */
export const AllowScrapeToken = () => SetMetadata(ALLOW_SCRAPE_TOKEN, true);
