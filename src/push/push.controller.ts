import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { CreatePushSubscriptionDto, PushSubscriptionCreatedDto, VapidPublicKeyDto } from './dto/push.dto';
import { PushService } from './push.service';

/** Web Push subscriptions (README "Push notifications"). */
@ApiTags('push')
@ApiBearerAuth()
@Controller('push')
export class PushController {
  constructor(private readonly push: PushService) {}

  /** The key a browser subscribes with. */
  @Get('vapid-public-key')
  @ApiOperation({ summary: 'The VAPID public key to pass to pushManager.subscribe as applicationServerKey' })
  @ApiOkResponse({ type: VapidPublicKeyDto })
  @ApiErrors(401)
  vapidPublicKey(): VapidPublicKeyDto {
    return { key: this.push.publicKey() };
  }

  /** Registers the browser's PushSubscription for the caller. */
  @Post('subscriptions')
  @ApiOperation({
    summary: 'Register a push subscription (the browser\'s PushSubscription.toJSON(), plus previews)',
    description:
      'The caller gets pushes on this subscription for DMs, mentions and rooms at notification level "all" while they have no open ' +
      'WebSocket connection, at most one per room every 30 s, for as long as the session that registered it is not revoked (logout). Registering an endpoint again updates it and returns the same id; ' +
      'a user keeps at most 10 subscriptions (the oldest is dropped). A push carries {room_id, message_id, seq, sender: {id, display_name}, ' +
      'room_name?, preview?}: preview (start of the text) only with previews: true.',
  })
  @ApiCreatedResponse({ type: PushSubscriptionCreatedDto })
  @ApiErrors(400, 401)
  subscribe(@CurrentUser() me: AuthPrincipal, @Body() dto: CreatePushSubscriptionDto): Promise<PushSubscriptionCreatedDto> {
    return this.push.subscribe(me, dto);
  }

  /** Removes one of the caller's subscriptions (e.g. on sign-out, before `pushSubscription.unsubscribe()`). */
  @Delete('subscriptions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one of my push subscriptions (another user\'s is 404)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 401, 404)
  unsubscribe(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<void> {
    return this.push.unsubscribe(me.userId, id);
  }
}
