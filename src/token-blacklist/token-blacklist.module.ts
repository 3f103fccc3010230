import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PgRevocationListener } from './pg-revocation-listener';
import { InProcessRevocationBus, RevocationBus } from './revocation-bus';
import { RevokedTokenEntity } from './revoked-token.entity';
import { TokenBlacklistRepository } from './token-blacklist.repository';
import { TokenBlacklistService } from './token-blacklist.service';

/**
 * Revoked access tokens and sessions: in memory for speed, in PostgreSQL for truth. The bus is bound
 * to its in-process implementation here; a multi-instance deployment binds a backplane instead.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([RevokedTokenEntity])],
  providers: [TokenBlacklistRepository, TokenBlacklistService, PgRevocationListener, { provide: RevocationBus, useClass: InProcessRevocationBus }],
  exports: [TokenBlacklistService, RevocationBus],
})
export class TokenBlacklistModule {}
