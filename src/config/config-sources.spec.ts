import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from './app-config';
import { CONFIG_VARIABLES, describeConfig, envNameOf, loadLayeredConfig, mergeSources, validateEverySource } from './config-sources';

const ROOT = join(__dirname, '..', '..');

/** A scratch working directory with the given files. */
function workdir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'chat-sources-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The message of the ConfigError thrown by fn. */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('no ConfigError was thrown');
}

describe('configuration sources', () => {
  it('applies environment > .env > config.yaml > defaults, and labels each value', () => {
    const cwd = workdir({
      'config.yaml': 'port: 4001\nws:\n  messages_burst: 33\nrate_limit:\n  per_minute: 77\n',
      '.env': 'PORT=4002\nRATE_LIMIT_PER_MINUTE=88\n',
    });
    const dataDir = workdir();
    const { config, merged } = loadLayeredConfig({ cwd, env: { PORT: '4003', DATA_DIR: dataDir } });
    expect(config.port).toBe(4003);
    expect(config.rateLimitPerMinute).toBe(88);
    expect(config.wsMessagesBurst).toBe(33);
    expect(config.wsMessagesPerSecond).toBe(10);
    expect(merged.sources.PORT!.label).toBe('the environment');
    expect(merged.sources.RATE_LIMIT_PER_MINUTE!.label).toBe('.env');
    expect(merged.sources.WS_MESSAGES_BURST!.label).toBe('config.yaml (ws.messages_burst)');
    const lines = describeConfig(merged);
    expect(lines.find((l) => l.startsWith('WS_MESSAGES_PER_SECOND '))).toMatch(/= 10 +\[default\]$/);
    expect(lines.find((l) => l.startsWith('RATE_LIMIT_PER_MINUTE '))).toMatch(/= 88 +\[\.env\]$/);
  });

  it('takes --config over CONFIG_PATH over ./config.yaml, and ENV_FILE instead of ./.env', () => {
    const cwd = workdir({ 'config.yaml': 'port: 1', 'other.yaml': 'port: 2', 'third.yaml': 'port: 3', '.env': 'HOST=10.0.0.1', 'alt.env': 'HOST=10.0.0.2' });
    const env = { DATA_DIR: workdir() };
    expect(loadLayeredConfig({ cwd, env }).config.port).toBe(1);
    expect(loadLayeredConfig({ cwd, env: { ...env, CONFIG_PATH: 'other.yaml' } }).config.port).toBe(2);
    expect(loadLayeredConfig({ cwd, env: { ...env, CONFIG_PATH: 'other.yaml' }, configFile: 'third.yaml' }).config.port).toBe(3);
    expect(loadLayeredConfig({ cwd, env }).config.host).toBe('10.0.0.1');
    expect(loadLayeredConfig({ cwd, env: { ...env, ENV_FILE: join(cwd, 'alt.env') } }).config.host).toBe('10.0.0.2');
  });

  it('never modifies process.env', () => {
    const cwd = workdir({ '.env': 'CHAT_SOURCES_PROBE=1\nPORT=4100\n' });
    const before = { ...process.env };
    mergeSources({ cwd });
    expect(process.env).toEqual(before);
    expect(process.env.CHAT_SOURCES_PROBE).toBeUndefined();
  });

  it('names the variable and the source in every validation error', () => {
    const dataDir = workdir();
    expect(configError(() => loadLayeredConfig({ cwd: workdir({ 'config.yaml': 'port: abc' }), env: { DATA_DIR: dataDir } }))).toBe(
      'PORT from config.yaml (port): must be an integer between 0 and 65535, got "abc".',
    );
    expect(configError(() => loadLayeredConfig({ cwd: workdir({ '.env': 'REGISTRATION=sometimes' }), env: { DATA_DIR: dataDir } }))).toBe(
      'REGISTRATION from .env: must be one of open, invite, closed, got "sometimes".',
    );
    expect(configError(() => loadLayeredConfig({ cwd: workdir(), env: { DATA_DIR: dataDir, DB_POOL_SIZE: '0' } }))).toBe(
      'DB_POOL_SIZE from the environment: must be an integer between 1 and 1000, got "0".',
    );
    expect(configError(() => loadLayeredConfig({ cwd: workdir({ 'c.yaml': 'metrics: maybe' }), configFile: 'c.yaml', env: { DATA_DIR: dataDir } }))).toBe(
      'METRICS from c.yaml (metrics): must be one of off, on, got "maybe".',
    );
    // A default cannot be wrong by itself; a rule that needs a value says so without a source.
    expect(configError(() => loadLayeredConfig({ cwd: workdir(), env: { DATA_DIR: dataDir, NODE_ENV: 'production' } }))).toMatch(/^JWT_SECRET is required/);
    expect(configError(() => loadLayeredConfig({ cwd: workdir(), env: { DATA_DIR: dataDir, NODE_ENV: 'production', JWT_SECRET: '' } }))).toMatch(/^JWT_SECRET is required/);
  });

  it('refuses broken files with a sentence naming the file', () => {
    const env = { DATA_DIR: workdir() };
    expect(configError(() => mergeSources({ cwd: workdir({ 'config.yaml': 'port: [1, 2\n' }), env }))).toMatch(/^config\.yaml line \d+ is not valid YAML/);
    expect(configError(() => mergeSources({ cwd: workdir({ 'config.yaml': 'databse:\n  url: x\n' }), env }))).toBe(
      'config.yaml: unknown key "databse.url" (it would set DATABSE_URL, which is not a setting; see config.example.yaml).',
    );
    expect(configError(() => mergeSources({ cwd: workdir({ 'config.yaml': 'port: 1\nPORT: 2\n' }), env }))).toMatch(/both set PORT/);
    expect(configError(() => mergeSources({ cwd: workdir({ 'config.yaml': '- 1\n- 2\n' }), env }))).toMatch(/must be a mapping/);
    expect(configError(() => mergeSources({ cwd: workdir(), env, configFile: 'missing.yaml' }))).toMatch(/missing\.yaml cannot be read \(ENOENT\)/);
    expect(configError(() => mergeSources({ cwd: workdir(), env: { ...env, ENV_FILE: 'nope.env' } }))).toMatch(/nope\.env cannot be read/);
  });

  it('turns YAML lists into comma-separated values', () => {
    const cwd = workdir({ 'config.yaml': 'allowed_origins:\n  - https://a.example.org\n  - https://b.example.org\nadmin_usernames: [Alice, bob]\n' });
    const { config } = loadLayeredConfig({ cwd, env: { DATA_DIR: workdir() } });
    expect(config.allowedOrigins).toEqual(['https://a.example.org', 'https://b.example.org']);
    expect(config.adminUsernames).toEqual(['alice', 'bob']);
  });

  it('masks secrets in the effective configuration', () => {
    const secret = 'Zq8vR2mW5kT9xY3nB7cF1hJ4lP6sD0gA';
    const cwd = workdir({ '.env': `JWT_SECRET=${secret}\nDATABASE_URL=postgres://chat:hunter22@db:5432/chat\n` });
    const text = describeConfig(mergeSources({ cwd, env: {} })).join('\n');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter22');
    expect(text).toContain('postgres://chat:*****@db:5432/chat');
  });

  it('lists every variable the validator reads', () => {
    const read = [...readFileSync(join(__dirname, 'app-config.ts'), 'utf8').matchAll(/env, '([A-Z][A-Z0-9_]+)'|env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1] ?? m[2]);
    const names = new Set(CONFIG_VARIABLES.map((v) => v.name));
    expect([...new Set(read)].filter((n) => !names.has(n!))).toEqual([]);
  });

  it('has a YAML key in config.example.yaml for every variable of .env.example, and nothing else', () => {
    const documented = [...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    const names = CONFIG_VARIABLES.map((v) => v.name);
    expect([...documented].sort()).toEqual([...names].sort());
    const yamlKeys: string[] = [];
    const walk = (node: unknown, path: string[]): void => {
      if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
        for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      } else yamlKeys.push(envNameOf(path));
    };
    walk(parse(readFileSync(join(ROOT, 'config.example.yaml'), 'utf8')), []);
    expect(yamlKeys.sort()).toEqual([...names].sort());
    // And the committed example loads as it is.
    expect(() => loadLayeredConfig({ cwd: ROOT, configFile: 'config.example.yaml', env: { DATA_DIR: workdir() } })).not.toThrow();
  });
});

describe('validateEverySource', () => {
  it('finds a bad value that a higher source hides, and notes what is overridden', () => {
    const cwd = workdir({ 'config.yaml': 'port: abc\n' });
    const merged = mergeSources({ cwd, env: { PORT: '4000', DATA_DIR: workdir() } });
    expect(() => validateEverySource(merged)).toThrow('PORT from config.yaml (port): must be an integer between 0 and 65535, got "abc".');
    const ok = mergeSources({ cwd: workdir({ 'config.yaml': 'port: 4001\n' }), env: { PORT: '4000', DATA_DIR: workdir() } });
    expect(validateEverySource(ok)).toEqual(['PORT from config.yaml (port) is overridden by the environment.']);
  });
});
