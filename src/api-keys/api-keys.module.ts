import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from '../common/auth/auth.guard';
import { KEY_AUTHENTICATOR } from '../common/auth/key-authenticator';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';

@Module({
  controllers: [ApiKeysController],
  providers: [
    ApiKeyRepository,
    ApiKeysService,
    AdminBootstrapService,
    { provide: KEY_AUTHENTICATOR, useExisting: ApiKeysService },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
