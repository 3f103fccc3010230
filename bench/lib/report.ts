/** One line of the summary table. */
export interface Row {
  section: string;
  metric: string;
  ours: number | null;
  raw: number | null;
  socketio: number | null;
  /** The peer with a database: raw-pg (fan-out, persistence) or raw-rest (REST); absent when none applies. */
  db?: number | null;
  /** Whether a bigger figure is better (decides nothing but the ratio's reading). */
  higherIsBetter?: boolean;
  target?: string;
  /** true/false when the target applies to our figure, undefined otherwise. */
  met?: boolean;
}

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function ratio(a: number | null, b: number | null): string {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '–';
  return `${(a / b).toFixed(2)}×`;
}

/** Renders the rows as a Markdown table (also readable on a terminal). */
export function renderTable(rows: Row[]): string {
  const header = ['scenario', 'metric', 'ours', 'raw ws', 'socket.io', 'db peer', 'ours/raw', 'ours/sio', 'ours/db', 'target (ours)'];
  const body = rows.map((r) => [
    r.section,
    r.metric,
    fmt(r.ours),
    fmt(r.raw),
    fmt(r.socketio),
    fmt(r.db),
    ratio(r.ours, r.raw),
    ratio(r.ours, r.socketio),
    ratio(r.ours, r.db ?? null),
    r.target ? `${r.target}${r.met === undefined ? '' : r.met ? ' ✓' : ' ✗'}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i >= 2 && i <= 8 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i >= 2 && i <= 8 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...body.map(line)].join('\n');
}
