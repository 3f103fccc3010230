import type { FanoutEnvelope } from './fanout-envelope';

/**
 * Carries fan-out envelopes to every instance. The in-process implementation hands them straight
 * back; the Redis one publishes them so that every instance behind one address behaves as one server.
 */
export abstract class Backplane {
  protected readonly handlers: ((envelope: FanoutEnvelope) => void)[] = [];

  /** Registers a local receiver (called for envelopes from every instance, this one included). */
  onEnvelope(handler: (envelope: FanoutEnvelope) => void): void {
    this.handlers.push(handler);
  }

  /** Hands an envelope to every local receiver. */
  protected dispatch(envelope: FanoutEnvelope): void {
    for (const handler of this.handlers) handler(envelope);
  }

  /** Sends an envelope to every instance. Never throws: a lost backplane degrades to local delivery. */
  abstract publish(envelope: FanoutEnvelope): void;

  /** True while the backplane can reach the other instances (readiness). */
  abstract isHealthy(): boolean;
}

/** Single-instance backplane: delivery is a direct call, nothing leaves the process. */
export class InProcessBackplane extends Backplane {
  publish(envelope: FanoutEnvelope): void {
    this.dispatch(envelope);
  }

  isHealthy(): boolean {
    return true;
  }
}
