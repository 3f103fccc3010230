import { Module } from '@nestjs/common';
import { PushController } from './push.controller';
import { PushDispatcher } from './push-dispatcher';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';
import { PushThrottle } from './push-throttle';
import { PushService } from './push.service';

/** Web Push: VAPID key, subscriptions, and pushes for new messages to members with no open connection. */
@Module({
  controllers: [PushController],
  providers: [PushSubscriptionsRepository, PushThrottle, PushDispatcher, PushService],
  exports: [PushService],
})
export class PushModule {}
