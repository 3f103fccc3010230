import { Global, Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';
import { FanoutService } from './fanout.service';
import { PresenceService } from './presence.service';
import { TypingService } from './typing.service';
import { WsRateLimiter } from './ws-rate-limiter';

/**
 * Routing state and fan-out shared by the gateway and the domain services. It depends on no domain
 * module, so services can publish events without a circular import.
 */
@Global()
@Module({
  providers: [ConnectionRegistry, FanoutService, PresenceService, TypingService, WsRateLimiter],
  exports: [ConnectionRegistry, FanoutService, PresenceService, TypingService, WsRateLimiter],
})
export class RealtimeCoreModule {}
