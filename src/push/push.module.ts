import { Logger, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { BlocksModule } from '../blocks/blocks.module';
import { PushController } from './push.controller';
import { PushDispatcher } from './push-dispatcher';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';
import { PushThrottle } from './push-throttle';
import { PushService } from './push.service';
import { loadVapidDetails, VAPID_DETAILS, VapidDetails } from './vapid-keys';

/** Loads the VAPID keys at start (generating them once into DATA_DIR); warns when instances may not share them. */
function vapidDetailsFactory(config: AppConfig): VapidDetails {
  const details = loadVapidDetails(config);
  if (details.source === 'data-dir' && config.redisUrl) {
    new Logger('PushModule').warn('VAPID keys come from DATA_DIR while REDIS_URL is set: every instance needs the same keys (set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY).');
  }
  return details;
}

/** Web Push: VAPID key, subscriptions, and pushes for new messages to members with no open connection. */
@Module({
  imports: [BlocksModule],
  controllers: [PushController],
  providers: [{ provide: VAPID_DETAILS, inject: [APP_CONFIG], useFactory: vapidDetailsFactory }, PushSubscriptionsRepository, PushThrottle, PushDispatcher, PushService],
  exports: [PushService],
})
export class PushModule {}
