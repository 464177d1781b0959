import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';

const FILE = fileURLToPath(new URL('../.env.example', import.meta.url));
const TEXT = readFileSync(FILE, 'utf8');

/** What the service reads: process.loadEnvFile uses this parser. */
const byNode = (): Record<string, string> => parseEnv(TEXT) as Record<string, string>;

/** What `set -a; . ./.env.example` gives a bash with an empty environment, for the given keys. */
function byBash(keys: string[]): Record<string, string> {
  const script = `set -euo pipefail; set -a; . "$1"; shift; for k in "$@"; do printf '%s\\0%s\\0' "$k" "\${!k-<unset>}"; done`;
  const out = execFileSync('bash', ['--noprofile', '--norc', '-c', script, 'bash', FILE, ...keys], { env: {}, encoding: 'utf8' });
  const parts = out.split('\0');
  const env: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) env[parts[i]!] = parts[i + 1]!;
  return env;
}

/**
 * What docker compose's env_file gives (compose-go's dotenv rules): `export ` and blank/comment
 * lines skipped; a single-quoted value is literal; a double-quoted one has \n / \r escapes and `$`
 * interpolation; an unquoted one ends at `#`, is trimmed and interpolated. Interpolation is not
 * reproduced here: a `$` where compose would interpolate is reported instead, since it would differ.
 */
function byCompose(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z0-9_.]+)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new Error(`line ${n + 1}: compose cannot read ${JSON.stringify(raw)}`);
    const [, key, rest] = m as unknown as [string, string, string];
    let value: string;
    if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      if (end < 0) throw new Error(`line ${n + 1}: unterminated quote`);
      value = rest.slice(1, end);
    } else if (rest.startsWith('"')) {
      const end = rest.slice(1).search(/(?<!\\)"/);
      if (end < 0) throw new Error(`line ${n + 1}: unterminated quote`);
      value = rest.slice(1, end + 1).replace(/\\n/g, '\n').replace(/\\r/g, '\r');
      if (value.includes('$')) throw new Error(`line ${n + 1}: compose would interpolate "$" in ${key}`);
    } else {
      value = rest.split('#')[0]!.trimEnd();
      if (value.includes('$')) throw new Error(`line ${n + 1}: compose would interpolate "$" in ${key}`);
    }
    env[key] = value;
  }
  return env;
}

describe('.env.example', () => {
  it('reads the same in bash (set -a; .), docker compose env_file and the service (process.loadEnvFile)', () => {
    const node = byNode();
    const keys = Object.keys(node);
    expect(keys.length).toBeGreaterThan(30);
    const compose = byCompose(TEXT);
    const bash = byBash(keys);
    expect(Object.keys(compose).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(bash[key], `${key} in bash`).toBe(node[key]);
      expect(compose[key], `${key} in compose`).toBe(node[key]);
    }
  });

  it('keeps the SNS certificate host pattern a working regular expression after loading', () => {
    const pattern = new RegExp(byNode().SNS_CERT_HOST_PATTERN!);
    expect(pattern.test('sns.eu-west-1.amazonaws.com')).toBe(true);
    expect(pattern.test('sns.eu-west-1.amazonaws.com.evil.example')).toBe(false);
  });
});
