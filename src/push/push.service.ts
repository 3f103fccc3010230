import { Inject, Injectable } from '@nestjs/common';
import type { AuthPrincipal } from '../auth/auth-principal';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import type { MessageDto } from '../messages/dto/message.dto';
import { CreatePushSubscriptionDto } from './dto/push.dto';
import { PushDispatcher } from './push-dispatcher';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';
import { checkKeys, endpointProblem } from './subscription-rules';
import { VAPID_DETAILS, VapidDetails } from './vapid-keys';

/** Most push subscriptions one user keeps (browsers × devices); registering another drops their oldest. */
export const MAX_SUBSCRIPTIONS_PER_USER = 10;

/**
 * Web Push: the VAPID public key, users' push subscriptions, and the hook the send path calls for
 * every newly stored message ({@link messageStored}), which hands it to the {@link PushDispatcher}.
 */
@Injectable()
export class PushService {
  constructor(
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly dispatcher: PushDispatcher,
    @Inject(VAPID_DETAILS) private readonly vapid: VapidDetails,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The base64url VAPID public key browsers subscribe with (`applicationServerKey`). */
  publicKey(): string {
    return this.vapid.publicKey;
  }

  /**
   * Registers the browser's push subscription for the caller's user and session, or refreshes it
   * when its endpoint is already known (also when it belonged to someone else who used this browser
   * before). It gets pushes while the session is valid. Keeps the user's
   * {@link MAX_SUBSCRIPTIONS_PER_USER} newest.
   * @returns the subscription's id.
   * @throws AppError VALIDATION_FAILED (endpoint not an acceptable URL, keys not a P-256 key and a 16-byte secret).
   */
  async subscribe(principal: Pick<AuthPrincipal, 'userId' | 'sessionId'>, dto: CreatePushSubscriptionDto): Promise<{ id: string }> {
    const problems = [endpointProblem(dto.endpoint, this.config.nodeEnv === 'production')].filter((p) => p !== undefined);
    const keys = checkKeys(dto.keys);
    if (Array.isArray(keys)) problems.push(...keys);
    if (problems.length > 0 || Array.isArray(keys)) throw new AppError('VALIDATION_FAILED', `${problems[0].field} ${problems[0].problem}.`, problems);
    const id = await this.subscriptions.upsertCapped(
      { userId: principal.userId, sessionId: principal.sessionId, endpoint: dto.endpoint, ...keys, previews: dto.previews ?? false },
      MAX_SUBSCRIPTIONS_PER_USER,
    );
    return { id };
  }

  /** Deletes one of the user's subscriptions. @throws AppError NOT_FOUND (unknown id, or another user's). */
  async unsubscribe(userId: string, id: string): Promise<void> {
    if (!(await this.subscriptions.deleteOwned(id, userId))) throw new AppError('NOT_FOUND', 'The push subscription was not found.');
  }

  /**
   * Called once per newly stored message, on the instance that committed it (so exactly one instance
   * considers pushing it). Only queues: never throws, never waits.
   */
  messageStored(message: MessageDto): void {
    this.dispatcher.enqueue(message);
  }
}
