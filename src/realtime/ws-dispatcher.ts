import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { createValidationPipe } from '../common/errors/validation';
import { safeError } from '../common/filters/http-exception.filter';
import { recorder } from '../metrics/recorder';
import { ChatGateway } from './chat.gateway';
import { ConnectionLifecycle } from './connection-lifecycle';
import { ChatSocket, ConnectionRegistry } from './connection-registry';
import { encodeFrame } from './events';
import { WsAuthGuard } from './ws-auth.guard';
import { WsDrain } from './ws-drain';
import { WsExceptionFilter } from './ws-exception.filter';
import { ClientFrame, CLIENT_FRAME_TYPES, INVALID_FRAME, parseClientFrame, UNKNOWN_TYPE } from './ws-frame';
import { WsRateLimitGuard } from './ws-rate-limit.guard';
import { WsRoomMemberGuard } from './ws-room-member.guard';
import type { FrameRoute } from './ws-route';

/**
 * The gateway's frame pipeline, built once for all frames: every frame goes through the same steps
 * in the same order, with Nest's guard → interceptor → pipe → handler → filter semantics but none of
 * its per-frame proxies, observables and async-context bindings (they cost about a third of the
 * server's CPU per stored message; see docs/performance.md):
 * 1. parse ({@link parseClientFrame}; bad JSON, depth, shape and unknown types go to internal routes);
 * 2. {@link WsAuthGuard}, synchronously as the frame arrives, so an `auth` frame marks the socket as
 *    authenticating before the next frame is looked at; then {@link WsRateLimitGuard} and
 *    {@link WsRoomMemberGuard}. A guard that says no drops the frame unanswered (its socket is closing);
 *    one that throws gets an `error` frame;
 * 3. refused with SERVICE_UNAVAILABLE while draining, else counted in flight ({@link WsDrain}) until answered;
 * 4. the payload validated by the one validation pipe ({@link createValidationPipe}, the same rules
 *    and error shape as REST bodies);
 * 5. the handler; its result, for a frame with an `id`, becomes `{"type":"ack","id",payload}`;
 * 6. any failure becomes an `error` frame ({@link WsExceptionFilter}); the connection stays open.
 * Handlers never write acks or errors themselves.
 */
@Injectable()
export class WsDispatcher {
  private readonly logger = new Logger(WsDispatcher.name);
  private readonly routes: ReadonlyMap<string, FrameRoute>;
  private readonly pipe = createValidationPipe();

  constructor(
    gateway: ChatGateway,
    private readonly authGuard: WsAuthGuard,
    private readonly rateLimitGuard: WsRateLimitGuard,
    private readonly roomMemberGuard: WsRoomMemberGuard,
    private readonly errors: WsExceptionFilter,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly registry: ConnectionRegistry,
    private readonly drain: WsDrain,
  ) {
    this.routes = new Map(Object.entries(gateway.routes));
    for (const type of [...CLIENT_FRAME_TYPES, INVALID_FRAME, UNKNOWN_TYPE]) {
      if (!this.routes.has(type)) throw new Error(`the gateway has no route for "${type}" frames`);
    }
  }

  /** Handles one frame of a socket, as `ws` delivered it (text as a Buffer). Never throws. */
  dispatch(client: ChatSocket, raw: unknown): void {
    client.chat.alive = true;
    const { event, data: frame } = recorder.frame(parseClientFrame(raw));
    const route = this.routes.get(event)!;
    let admitted: boolean | Promise<boolean>;
    try {
      admitted = this.authGuard.canActivate(client, frame);
    } catch (err) {
      this.errors.answer(client, frame, err);
      return;
    }
    if (admitted === false) {
      this.lifecycle.answered(client, frame);
      return;
    }
    // run() answers every failure itself; this only keeps a bug in answering from crashing the process.
    this.run(client, frame, route, admitted).catch((err: unknown) => this.logger.error({ err: safeError(err), connection: client.chat.id }, 'answering a frame failed'));
  }

  /** Steps 2 (after the auth guard) to 6 of one admitted frame. */
  private async run(client: ChatSocket, frame: ClientFrame, route: FrameRoute, admitted: true | Promise<boolean>): Promise<void> {
    let counted = false;
    try {
      if ((admitted !== true && !(await admitted)) || !(await this.rateLimitGuard.canActivate(client))) {
        this.lifecycle.answered(client, frame);
        return;
      }
      if (route.roomScoped) this.roomMemberGuard.check(client, frame);
      if (this.drain.draining) throw new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; reconnect shortly.');
      this.drain.begin();
      counted = true;
      const payload = route.dto ? await this.pipe.transform(frame.payload, { type: 'body', metatype: route.dto, data: 'payload' }) : frame.payload;
      const result = await route.handle(client, payload, frame);
      if (frame.id !== undefined && result !== undefined) this.registry.send(client, encodeFrame('ack', result, String(frame.id)));
      this.lifecycle.answered(client, frame);
    } catch (err) {
      this.errors.answer(client, frame, err);
    } finally {
      if (counted) this.drain.end();
    }
  }
}
