import { parse as parseDotenv } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { AppConfig, ConfigError, loadConfig } from './app-config';

/**
 * One configuration variable: its environment name (as in .env.example), whether its value is a
 * secret (masked by `config check`) and its documented default (shown when no source sets it).
 * The YAML key is derived, never listed: see {@link yamlKeyOf}.
 */
export interface ConfigVariable {
  name: string;
  secret?: boolean;
  /** What applies when no source sets it, as shown by `config check`. */
  fallback: string;
}

/**
 * Every setting the server reads, in .env.example's order. A knob added to app-config.ts needs one
 * row here (a unit test compares this list with .env.example and config.example.yaml).
 */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: 'NODE_ENV', fallback: 'development' },
  { name: 'PORT', fallback: '3000' },
  { name: 'HOST', fallback: '127.0.0.1' },
  { name: 'REQUEST_TIMEOUT_MS', fallback: '30000' },
  { name: 'DATABASE_URL', secret: true, fallback: '(embedded PostgreSQL in DATA_DIR)' },
  { name: 'DB_POOL_SIZE', fallback: '20' },
  { name: 'DB_STATEMENT_TIMEOUT_MS', fallback: '0' },
  { name: 'DATA_DIR', fallback: '.data' },
  { name: 'REDIS_URL', secret: true, fallback: '(none: single instance)' },
  { name: 'JWT_SECRET', secret: true, fallback: '(generated in DATA_DIR/jwt-secret)' },
  { name: 'ACCESS_TOKEN_TTL_SECONDS', fallback: '900' },
  { name: 'REFRESH_TOKEN_TTL_SECONDS', fallback: '2592000' },
  { name: 'BCRYPT_COST', fallback: '12' },
  { name: 'REGISTRATION', fallback: 'open' },
  { name: 'ADMIN_USERNAMES', fallback: '' },
  { name: 'RATE_LIMIT_AUTH_PER_MINUTE', fallback: '10' },
  { name: 'RATE_LIMIT_PER_MINUTE', fallback: '120' },
  { name: 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', fallback: '30' },
  { name: 'RATE_LIMIT_REFRESH_PER_MINUTE', fallback: '60' },
  { name: 'TRUST_PROXY', fallback: '' },
  { name: 'WS_MESSAGES_PER_SECOND', fallback: '10' },
  { name: 'WS_MESSAGES_BURST', fallback: '20' },
  { name: 'WS_AUTH_TIMEOUT_MS', fallback: '10000' },
  { name: 'WS_MAX_CONNECTIONS_PER_USER', fallback: '10' },
  { name: 'WS_MAX_CONNECTIONS_PER_IP', fallback: '50' },
  { name: 'WS_MAX_BUFFERED_BYTES', fallback: '1048576' },
  { name: 'PRESENCE_GRACE_MS', fallback: '5000' },
  { name: 'MESSAGE_EDIT_WINDOW_SECONDS', fallback: '0' },
  { name: 'UPLOAD_MAX_BYTES', fallback: '4194304' },
  { name: 'ALLOWED_ORIGINS', fallback: 'http://localhost:$PORT,http://127.0.0.1:$PORT' },
  { name: 'LOG_LEVEL', fallback: 'info' },
  { name: 'VAPID_PUBLIC_KEY', fallback: '(generated in DATA_DIR)' },
  { name: 'VAPID_PRIVATE_KEY', secret: true, fallback: '(generated in DATA_DIR)' },
  { name: 'VAPID_SUBJECT', fallback: '(derived)' },
  { name: 'METRICS', fallback: 'off' },
  { name: 'METRICS_TOKEN', secret: true, fallback: '(none: loopback clients only)' },
];

const KNOWN = new Map(CONFIG_VARIABLES.map((v) => [v.name, v]));

/**
 * The YAML spelling of a variable: its path segments joined with `_` and upper-cased give the name,
 * so `database.url` ↔ DATABASE_URL, `ws.max_buffered_bytes` ↔ WS_MAX_BUFFERED_BYTES and a flat
 * `port` ↔ PORT. One mechanical rule (rather than a hand-made table) means any variable can be
 * written in YAML without looking anything up, and a knob added later gets its key for free.
 */
export function envNameOf(yamlPath: string[]): string {
  return yamlPath.join('_').toUpperCase();
}

/** Where a value came from: `environment`, the .env file, the YAML file (with its key), or `default`. */
export interface ValueSource {
  kind: 'environment' | 'env-file' | 'yaml' | 'default';
  /** Human label used in errors and `config check`, e.g. `config.yaml (database.url)`. */
  label: string;
}

/** Every source merged: the string record the validator reads, and where each value came from. */
export interface MergedSources {
  values: Record<string, string>;
  sources: Record<string, ValueSource>;
  /** The files that were read (absent ones are not listed). */
  files: { envFile?: string; yamlFile?: string };
  /** Each file's own values with their sources, also those a higher source overrides. */
  layers: { values: Record<string, string>; sources: Record<string, ValueSource> }[];
}

/** Options of {@link mergeSources}. */
export interface SourceOptions {
  /** The process environment (never modified). */
  env?: Record<string, string | undefined>;
  /** Directory where `.env` and `config.yaml` are looked up; defaults to process.cwd(). */
  cwd?: string;
  /** `--config FILE`: wins over CONFIG_PATH and the default config.yaml. */
  configFile?: string;
}

const displayPath = (cwd: string, path: string): string => (path.startsWith(cwd + '/') ? path.slice(cwd.length + 1) : path);

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${what} ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
}

/**
 * Flattens a parsed YAML document into variables. Scalars become strings (numbers and booleans as
 * written), lists become comma-separated strings, `null` leaves the variable unset.
 * @throws ConfigError for a key that names no known variable, or a value that is neither.
 */
function flattenYaml(node: unknown, path: string[], label: string, out: Map<string, { value: string; key: string }>): void {
  const key = path.join('.');
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    if (!node.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) {
      throw new ConfigError(`${envNameOf(path)} from ${label} (${key}): a list may hold only plain values.`);
    }
    setYaml(path, node.map(String).join(','), label, out);
    return;
  }
  if (typeof node === 'object') {
    for (const [child, value] of Object.entries(node as Record<string, unknown>)) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(child)) throw new ConfigError(`${label}: "${[...path, child].join('.')}" is not a valid key.`);
      flattenYaml(value, [...path, child], label, out);
    }
    return;
  }
  if (!['string', 'number', 'boolean'].includes(typeof node)) throw new ConfigError(`${label}: ${key} has an unsupported value.`);
  setYaml(path, String(node as string | number | boolean), label, out);
}

function setYaml(path: string[], value: string, label: string, out: Map<string, { value: string; key: string }>): void {
  const key = path.join('.');
  const name = envNameOf(path);
  if (!KNOWN.has(name)) {
    throw new ConfigError(`${label}: unknown key "${key}" (it would set ${name}, which is not a setting; see config.example.yaml).`);
  }
  const previous = out.get(name);
  if (previous) throw new ConfigError(`${label}: "${key}" and "${previous.key}" both set ${name}; keep one.`);
  out.set(name, { value, key });
}

/**
 * Reads every configuration source and merges them, highest first: the environment, then the
 * `.env` file (ENV_FILE, or `.env` in cwd when present), then the YAML file (`--config`, else
 * CONFIG_PATH, else `config.yaml` in cwd when present), then the defaults (left to the validator).
 * Files are parsed only: process.env is never modified.
 * @throws ConfigError naming the file for a missing explicit file, a syntax error or an unknown key.
 */
export function mergeSources(options: SourceOptions = {}): MergedSources {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const values: Record<string, string> = {};
  const sources: Record<string, ValueSource> = {};
  const files: MergedSources['files'] = {};
  const at = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));

  // .env: ENV_FILE comes from the environment only (a file cannot name itself).
  const envFile = env.ENV_FILE?.trim() ? at(env.ENV_FILE.trim()) : at('.env');
  let dotenv: Record<string, string> = {};
  if (env.ENV_FILE?.trim() || existsSync(envFile)) {
    dotenv = parseDotenv(readText(envFile, 'ENV_FILE'));
    files.envFile = envFile;
  }

  const configPath = options.configFile ?? (env.CONFIG_PATH?.trim() || dotenv.CONFIG_PATH?.trim() || undefined);
  const yamlFile = configPath ? at(configPath) : at('config.yaml');
  const yamlValues = new Map<string, { value: string; key: string }>();
  if (configPath || existsSync(yamlFile)) {
    const label = displayPath(cwd, yamlFile);
    const doc = parseDocument(readText(yamlFile, 'The configuration file'), { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      const line = first.linePos?.[0];
      const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new ConfigError(`${label}${line ? ` line ${line.line}` : ''} is not valid YAML: ${reason}.`);
    }
    const root: unknown = doc.toJS();
    if (root !== null && root !== undefined && (typeof root !== 'object' || Array.isArray(root))) {
      throw new ConfigError(`${label} must be a mapping of settings (see config.example.yaml).`);
    }
    flattenYaml(root, [], label, yamlValues);
    files.yamlFile = yamlFile;
  }

  const yamlLayer: MergedSources['layers'][number] = { values: {}, sources: {} };
  for (const [name, { value, key }] of yamlValues) {
    yamlLayer.values[name] = value;
    yamlLayer.sources[name] = { kind: 'yaml', label: `${displayPath(cwd, yamlFile)} (${key})` };
  }
  const envLayer: MergedSources['layers'][number] = { values: {}, sources: {} };
  const envLabel = files.envFile ? displayPath(cwd, files.envFile) : '.env';
  for (const [name, value] of Object.entries(dotenv)) {
    envLayer.values[name] = value;
    envLayer.sources[name] = { kind: 'env-file', label: envLabel };
  }
  for (const layer of [yamlLayer, envLayer]) {
    Object.assign(values, layer.values);
    Object.assign(sources, layer.sources);
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    values[name] = value;
    sources[name] = { kind: 'environment', label: 'the environment' };
  }
  return { values, sources, files, layers: [yamlLayer, envLayer] };
}

/** The label of a variable's source; `default` when no source set it. */
export function sourceOf(merged: MergedSources, name: string): ValueSource {
  return merged.sources[name] ?? { kind: 'default', label: 'default' };
}

/**
 * Validates merged sources with the one validator ({@link loadConfig}). Its errors start with the
 * variable's name; this adds where the value came from: `PORT from config.yaml (port): must be …`.
 * @throws ConfigError naming the variable and its source.
 */
export function validateMerged(merged: MergedSources): AppConfig {
  try {
    return loadConfig(merged.values);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const match = /^([A-Z][A-Z0-9_]*) (.*)$/s.exec(err.message);
    // An empty value is an absence: "JWT_SECRET is required …" needs no source.
    const source = match && (merged.values[match[1]!] ?? '').trim() !== '' ? merged.sources[match[1]!] : undefined;
    if (!match || !source) throw err;
    throw new ConfigError(`${match[1]} from ${source.label}: ${match[2]}`);
  }
}

/**
 * Validates every source, not only the winning values: each file's values are checked as if they
 * were in force (a bad value hidden by a higher source today would break the server the day that
 * source goes away), then the merged result.
 * @returns sentences about values that a higher source overrides (for `config check`)
 * @throws ConfigError naming the variable and the source of the first bad value.
 */
export function validateEverySource(merged: MergedSources): string[] {
  for (const layer of merged.layers) {
    validateMerged({ ...merged, values: { ...merged.values, ...layer.values }, sources: { ...merged.sources, ...layer.sources } });
  }
  validateMerged(merged);
  const notes: string[] = [];
  for (const layer of merged.layers) {
    for (const [name, source] of Object.entries(layer.sources)) {
      const winner = merged.sources[name]!;
      if (winner.label !== source.label) notes.push(`${name} from ${source.label} is overridden by ${winner.label}.`);
    }
  }
  return notes;
}

/** {@link mergeSources} + {@link validateMerged}: the configuration every entry point runs with. */
export function loadLayeredConfig(options: SourceOptions = {}): { config: AppConfig; merged: MergedSources } {
  const merged = mergeSources(options);
  return { config: validateMerged(merged), merged };
}

/** Masks a secret for display: URLs keep scheme and host, everything else only its length. */
export function maskSecret(value: string): string {
  if (value === '') return '';
  try {
    const url = new URL(value);
    if (url.password) url.password = '*****';
    return url.toString();
  } catch {
    return `***** (${value.length} characters)`;
  }
}

/**
 * The effective configuration as lines `NAME = value   (source)`, secrets masked; the lines
 * `config check` prints.
 */
export function describeConfig(merged: MergedSources): string[] {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  return CONFIG_VARIABLES.map((variable) => {
    const source = sourceOf(merged, variable.name);
    const raw = merged.values[variable.name];
    const shown = raw === undefined || raw.trim() === '' ? variable.fallback : variable.secret ? maskSecret(raw) : raw;
    const label = raw === undefined || raw.trim() === '' ? 'default' : source.label;
    return `${variable.name.padEnd(width)} = ${shown === '' ? '(empty)' : shown}   [${label}]`;
  });
}
