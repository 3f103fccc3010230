import { Global, Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';
import { FanoutService } from './fanout.service';
import { PresenceService } from './presence.service';

/**
 * Routing state and fan-out shared by the gateway and the domain services. It depends on no domain
 * module, so services can publish events without a circular import.
 */
@Global()
@Module({
  providers: [ConnectionRegistry, FanoutService, PresenceService],
  exports: [ConnectionRegistry, FanoutService, PresenceService],
})
export class RealtimeCoreModule {}
