import { Global, Module } from '@nestjs/common';
import { PgRevocationListener } from './pg-revocation-listener';
import { InProcessRevocationBus, RevocationBus } from './revocation-bus';
import { TokenBlacklistRepository } from './token-blacklist.repository';
import { TokenBlacklistService } from './token-blacklist.service';

/**
 * Revoked access tokens and sessions: in memory for speed, in PostgreSQL for truth. The bus is bound
 * to its in-process implementation here; a multi-instance deployment binds a backplane instead.
 */
@Global()
@Module({
  providers: [TokenBlacklistRepository, TokenBlacklistService, PgRevocationListener, { provide: RevocationBus, useClass: InProcessRevocationBus }],
  exports: [TokenBlacklistService, TokenBlacklistRepository, RevocationBus],
})
export class TokenBlacklistModule {}
