import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf missing: Linux uses 100 Hz nearly everywhere.
}

/** CPU time of one process so far (user + system), in seconds; undefined once the process is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Resident set size of one process in bytes (VmRSS), 0 when unreadable. */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Proportional set size in bytes (shared pages split between the processes that map them), so the
 * PostgreSQL processes' shared buffers are not counted once per backend. Falls back to RSS.
 */
export function pssBytes(pid: number): number {
  try {
    const match = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : rssBytes(pid);
  } catch {
    return rssBytes(pid);
  }
}

/** Every live descendant of a process (children, grandchildren, ...), found through /proc. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we were looking.
    }
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** What one measurement window cost a process group: CPU share of one core and memory. */
export interface ResourceFigures {
  /** CPU used by the main process over the window, in % of one core. */
  cpu_pct: number;
  /** Resident memory of the main process at the end of the window, MiB. */
  rss_mib: number;
  /** Largest resident memory seen during the window (sampled every 250 ms), MiB. */
  rss_peak_mib: number;
  /** Child processes (the embedded PostgreSQL for our server): CPU % of one core, PSS MiB. */
  children?: { count: number; cpu_pct: number; pss_mib: number };
}

/**
 * Samples a server process (and optionally its descendants) over a window: CPU from /proc/<pid>/stat
 * deltas, RSS from /proc/<pid>/status. Start it when the window opens and call stop() when it closes.
 */
export class ResourceMeter {
  private readonly startWallMs = performance.now();
  private readonly startCpu: number;
  private readonly startChildCpu = new Map<number, number>();
  private peakRss = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    private readonly withChildren: boolean,
  ) {
    this.startCpu = cpuSeconds(pid) ?? 0;
    if (withChildren) for (const child of descendants(pid)) this.startChildCpu.set(child, cpuSeconds(child) ?? 0);
    this.peakRss = rssBytes(pid);
    this.timer = setInterval(() => (this.peakRss = Math.max(this.peakRss, rssBytes(this.pid))), 250);
  }

  /** Ends the window and returns its figures. */
  stop(): ResourceFigures {
    clearInterval(this.timer);
    const seconds = Math.max(0.001, (performance.now() - this.startWallMs) / 1000);
    const rss = rssBytes(this.pid);
    const figures: ResourceFigures = {
      cpu_pct: pct(((cpuSeconds(this.pid) ?? this.startCpu) - this.startCpu) / seconds),
      rss_mib: mib(rss),
      rss_peak_mib: mib(Math.max(rss, this.peakRss)),
    };
    if (this.withChildren) {
      let cpu = 0;
      let pss = 0;
      const kids = descendants(this.pid);
      for (const child of kids) {
        cpu += (cpuSeconds(child) ?? 0) - (this.startChildCpu.get(child) ?? 0);
        pss += pssBytes(child);
      }
      figures.children = { count: kids.length, cpu_pct: pct(cpu / seconds), pss_mib: mib(pss) };
    }
    return figures;
  }
}

function pct(fraction: number): number {
  return Math.round(fraction * 1000) / 10;
}

function mib(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}

/** The machine the figures come from. */
export function machineInfo(): { nproc: number; cpu_model: string; memory_gib: number; node: string; kernel: string } {
  let kernel = '';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    kernel = 'unknown';
  }
  return {
    nproc: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round((totalmem() / 1073741824) * 10) / 10,
    node: process.version,
    kernel,
  };
}

/** The 1-, 5- and 15-minute load averages: above nproc, something else competes for the cores. */
export function loadAverage(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}
