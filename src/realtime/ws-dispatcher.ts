import { CanActivate, ExceptionFilter, Injectable, Logger, OnModuleInit, PipeTransform, Type } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, GUARDS_METADATA, PIPES_METADATA } from '@nestjs/common/constants';
import { ModuleRef } from '@nestjs/core';
import { AppError } from '../common/errors/app-error';
import { recorder } from '../metrics/recorder';
import { ChatGateway } from './chat.gateway';
import { ConnectionLifecycle } from './connection-lifecycle';
import { ChatSocket, ConnectionRegistry } from './connection-registry';
import { encodeFrame } from './events';
import { WsDrain } from './ws-drain';
import { WsFrameContext } from './ws-frame-context';
import { ClientFrame, CLIENT_FRAME_TYPES, INVALID_FRAME, parseClientFrame, UNKNOWN_TYPE } from './ws-frame';
import type { FrameRoute } from './ws-route';

/** A class or an instance, as Nest's `@UseGuards`/`@UseFilters`/`@UsePipes` store them. */
type Enhancer<T> = T | Type<T>;

/**
 * The gateway's frame pipeline: Nest's order and contracts — the guards, pipe and exception filter
 * the gateway declares with `@UseGuards`, `@UsePipes` and `@UseFilters`, called through their Nest
 * interfaces with an ExecutionContext — but resolved and put in order once at start, instead of
 * Nest's per-frame proxies, rxjs streams and async-context bindings for every `@SubscribeMessage`
 * call (docs/performance.md, "Session 5"). For each frame:
 * 1. parse ({@link parseClientFrame}; bad JSON, depth, shape and unknown types go to internal routes);
 * 2. the guards in declared order. They run synchronously up to the first one that answers with a
 *    promise, so the auth guard sees an `auth` frame (and marks the socket as authenticating) before
 *    the next frame is looked at. A guard's false drops the frame unanswered (its socket is closing);
 * 3. the ack step (what WsAckInterceptor did, kept here because Nest's interceptor contract is an
 *    Observable per frame): refused with SERVICE_UNAVAILABLE while draining, else counted in flight
 *    ({@link WsDrain}) until answered;
 * 4. the gateway's pipes on the payload, for routes with a DTO (the one validation pipe: the same
 *    rules and error shape as REST bodies);
 * 5. the handler; its result, for a frame with an `id`, becomes `{"type":"ack","id",payload}`;
 * 6. any failure of steps 2–5 goes to the exception filters (an `error` frame); the connection stays open.
 * Handlers never write acks or errors themselves.
 */
@Injectable()
export class WsDispatcher implements OnModuleInit {
  private readonly logger = new Logger(WsDispatcher.name);
  private readonly routes: ReadonlyMap<string, FrameRoute>;
  private guards: CanActivate[] = [];
  private pipes: PipeTransform[] = [];
  private filters: ExceptionFilter[] = [];

  /** @throws Error at start when the gateway lacks a route for a frame type. */
  constructor(
    gateway: ChatGateway,
    private readonly moduleRef: ModuleRef,
    private readonly lifecycle: ConnectionLifecycle,
    private readonly registry: ConnectionRegistry,
    private readonly drain: WsDrain,
  ) {
    this.routes = new Map(Object.entries(gateway.routes));
    for (const type of [...CLIENT_FRAME_TYPES, INVALID_FRAME, UNKNOWN_TYPE]) {
      if (!this.routes.has(type)) throw new Error(`the gateway has no route for "${type}" frames`);
    }
  }

  /**
   * Resolves the gateway's declared guards, pipes and filters (once every provider is constructed:
   * in the constructor some would still be Nest's unconstructed placeholders).
   * @throws Error when an enhancer is not a provider of this module, or no filter is declared.
   */
  onModuleInit(): void {
    const moduleRef = this.moduleRef;
    const resolve = <T>(key: string): T[] =>
      ((Reflect.getMetadata(key, ChatGateway) as Enhancer<T>[] | undefined) ?? []).map((e) => (typeof e === 'function' ? moduleRef.get(e as Type<T>, { strict: false }) : e));
    this.guards = resolve<CanActivate>(GUARDS_METADATA);
    this.pipes = resolve<PipeTransform>(PIPES_METADATA);
    this.filters = resolve<ExceptionFilter>(EXCEPTION_FILTERS_METADATA);
    if (this.filters.length === 0) throw new Error('the gateway declares no exception filter: failed frames would go unanswered');
  }

  /** Handles one frame of a socket, as `ws` delivered it (text as a Buffer). Never throws. */
  dispatch(client: ChatSocket, raw: unknown): void {
    client.chat.alive = true;
    const { event, data: frame } = recorder.frame(parseClientFrame(raw));
    const route = this.routes.get(event)!;
    this.guard(new WsFrameContext(client, frame, ChatGateway, route.handle), client, frame, route, 0);
  }

  /** Step 2 from guard `from` on: synchronous while the guards answer synchronously. */
  private guard(context: WsFrameContext, client: ChatSocket, frame: ClientFrame, route: FrameRoute, from: number): void {
    for (let i = from; i < this.guards.length; i++) {
      let verdict: unknown;
      try {
        verdict = this.guards[i].canActivate(context);
      } catch (err) {
        this.fail(context, err);
        return;
      }
      if (verdict === true) continue;
      if (verdict instanceof Promise) {
        verdict.then(
          (ok: boolean) => (ok ? this.guard(context, client, frame, route, i + 1) : this.lifecycle.answered(client, frame)),
          (err: unknown) => this.fail(context, err),
        );
        return;
      }
      // false (our guards never answer with an Observable)
      this.lifecycle.answered(client, frame);
      return;
    }
    // handle() answers every failure itself; this only keeps a bug in answering from crashing the process.
    this.handle(context, client, frame, route).catch((err: unknown) => this.logger.error({ err, connection: client.chat.id }, 'answering a frame failed'));
  }

  /** Steps 3 to 5 of an admitted frame. */
  private async handle(context: WsFrameContext, client: ChatSocket, frame: ClientFrame, route: FrameRoute): Promise<void> {
    let counted = false;
    try {
      if (this.drain.draining) throw new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; reconnect shortly.');
      this.drain.begin();
      counted = true;
      let payload: unknown = frame.payload;
      if (route.dto) for (const pipe of this.pipes) payload = await pipe.transform(payload, { type: 'body', metatype: route.dto, data: 'payload' });
      const result = await route.handle(client, payload, frame);
      if (frame.id !== undefined && result !== undefined) this.registry.send(client, encodeFrame('ack', result, String(frame.id)));
      this.lifecycle.answered(client, frame);
    } catch (err) {
      this.fail(context, err);
    } finally {
      if (counted) this.drain.end();
    }
  }

  /** Step 6: the exception filters answer the failure (each one a chance; ours answers everything). */
  private fail(context: WsFrameContext, err: unknown): void {
    for (const filter of this.filters) filter.catch(err, context);
  }
}
