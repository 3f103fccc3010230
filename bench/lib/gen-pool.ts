import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Histogram } from './histogram';
import type { ClientSpec, Command, ConnectResult, CpuResult, Reply, ServerKind } from './protocol';
import { pinArgs } from './pinning';

/** Source addresses the client sockets are spread over (all of 127.0.0.0/8 is loopback on Linux). */
export const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

/** One generator child process and its pending requests. */
class Generator {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly child: ChildProcess;

  constructor(index: number) {
    const [command, args] = pinArgs('generator', [process.execPath, '--max-old-space-size=2048', join(__dirname, 'generator.js')]);
    this.child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_GENERATOR: String(index) } });
    this.child.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.seq);
      if (!waiter) return;
      this.pending.delete(reply.seq);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`generator ${index}: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`generator ${index} exited with ${code}`));
      this.pending.clear();
    });
  }

  request<T>(command: Command): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...command, seq });
    });
  }
}

/** Where a client lives: which generator and its index there. */
export interface ClientRef {
  generator: number;
  index: number;
}

/**
 * The runner's handle on all generator processes: opens client connections spread over the
 * generators and source addresses, and broadcasts commands.
 */
export class GeneratorPool {
  private readonly generators: Generator[];

  constructor(count: number) {
    this.generators = Array.from({ length: count }, (_, i) => new Generator(i));
  }

  get size(): number {
    return this.generators.length;
  }

  /** Sends one command to one generator. */
  request<T>(generator: number, command: Command): Promise<T> {
    return this.generators[generator].request<T>(command);
  }

  /** Sends the same command to every generator. */
  all<T>(command: Command): Promise<T[]> {
    return Promise.all(this.generators.map((g) => g.request<T>(command)));
  }

  /**
   * Opens connections round-robin over the generators; returns where each spec ended up (in spec
   * order), the merged handshake histogram and how long the whole batch took.
   */
  async connect(
    kind: ServerKind,
    url: string,
    specs: ClientSpec[],
    concurrencyPerGenerator: number,
  ): Promise<{ refs: ClientRef[]; opened: number; failed: number; errors: string[]; elapsedMs: number; handshake: Histogram }> {
    const perGenerator: ClientSpec[][] = this.generators.map(() => []);
    const placement: Array<[number, number]> = [];
    specs.forEach((spec, i) => {
      const g = i % this.generators.length;
      placement.push([g, perGenerator[g].length]);
      perGenerator[g].push(spec);
    });
    const started = performance.now();
    const results = await Promise.all(
      perGenerator.map((list, g) =>
        this.request<ConnectResult>(g, { cmd: 'connect', kind, url, specs: list, concurrency: concurrencyPerGenerator, timeoutMs: 30_000 }),
      ),
    );
    const elapsedMs = performance.now() - started;
    const handshake = new Histogram();
    for (const r of results) handshake.merge(r.handshake);
    return {
      refs: placement.map(([g, i]) => ({ generator: g, index: results[g].firstIndex + i })),
      opened: results.reduce((a, r) => a + r.opened, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      errors: results.flatMap((r) => r.errors),
      elapsedMs,
      handshake,
    };
  }

  /** Closes every client connection of every generator. */
  async closeAll(): Promise<void> {
    await this.all({ cmd: 'close-all' });
  }

  /** Generator CPU since the last mark, as % of one core, summed over the generators. */
  async cpuPercent(): Promise<number> {
    const reads = await this.all<CpuResult>({ cmd: 'cpu-read' });
    return Math.round(reads.reduce((a, r) => a + r.cpuUs / Math.max(1, r.wallUs), 0) * 1000) / 10;
  }

  /** Ends the generator processes. */
  stop(): void {
    for (const g of this.generators) {
      g.child.disconnect?.();
      if (g.child.exitCode === null && g.child.pid) g.child.kill('SIGTERM');
    }
  }
}
