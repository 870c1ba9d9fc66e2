import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';

/**
 * With no TRACER_ADMIN_KEY and no usable admin key stored, the first start creates one and prints it
 * once on stdout as a plain banner (the structured logger redacts keys everywhere else).
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  constructor(
    private readonly repo: ApiKeyRepository,
    private readonly keys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdminKey();
  }

  /** Returns the plain key when one was created. */
  async ensureAdminKey(): Promise<string | undefined> {
    if (this.config.adminKey || (await this.repo.hasActiveAdminKey())) return undefined;
    const created = await this.keys.create({ name: 'bootstrap admin', scopes: ['admin'] });
    process.stdout.write(
      [
        '',
        '================================================================================',
        ' Tracer created an admin API key. It is shown only this once - store it now:',
        '',
        `   ${created.key}`,
        '',
        ' Use it as "Authorization: Bearer <key>" to create more keys (POST /api-keys).',
        '================================================================================',
        '',
        '',
      ].join('\n'),
    );
    return created.key;
  }
}
