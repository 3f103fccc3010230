import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RevocationBus } from './revocation-bus';
import { RevokedTokenEntity } from './revoked-token.entity';
import { TokenBlacklistRepository } from './token-blacklist.repository';
import { TokenBlacklistService } from './token-blacklist.service';

/** Revoked access tokens and sessions: in memory for speed, in PostgreSQL for truth. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([RevokedTokenEntity])],
  providers: [TokenBlacklistRepository, TokenBlacklistService, RevocationBus],
  exports: [TokenBlacklistService, RevocationBus],
})
export class TokenBlacklistModule {}
