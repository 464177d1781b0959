/**
 * Which hosts the service may call on behalf of a connector (ITSM_ALLOWED_HOSTS). Empty: any host an
 * admin configures. Patterns: `host`, `*.domain` (any sub-domain, not the domain itself), each with an
 * optional `:port`; IPv6 literals in brackets (`[::1]:8443`). Case-insensitive.
 */

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOSTNAME = `${LABEL}(?:\\.${LABEL})*`;
const PATTERN = new RegExp(`^(?:(\\*\\.)?(${HOSTNAME})|(\\[[0-9a-f:.]+\\]))(?::(\\d{1,5}))?$`, 'i');

interface HostRule {
  text: string;
  wildcard: boolean;
  host: string;
  port: string | null;
}

function parseRule(text: string): HostRule | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const port = m[4] ?? null;
  if (port !== null && (Number(port) < 1 || Number(port) > 65535)) return null;
  return { text, wildcard: m[1] !== undefined, host: (m[2] ?? m[3]!).toLowerCase(), port };
}

/** The problem with one pattern, or null when it is valid (for config validation). */
export function hostPatternProblem(text: string): string | null {
  return parseRule(text) ? null : `"${text}" is not a host pattern (use host, *.domain or [ipv6], each optionally with :port)`;
}

/** Refused before any byte was sent: the host is not in ITSM_ALLOWED_HOSTS. */
export class HostNotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostNotAllowedError';
  }
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

export class HostPolicy {
  private readonly rules: HostRule[];

  constructor(patterns: readonly string[] = []) {
    this.rules = patterns.map((p) => {
      const rule = parseRule(p.trim());
      if (!rule) throw new Error(hostPatternProblem(p.trim())!);
      return rule;
    });
  }

  /** True when an allow-list is configured. */
  get restricted(): boolean {
    return this.rules.length > 0;
  }

  /** Null when `url` may be called; otherwise why not (one sentence naming the host and the list). */
  problem(url: string): string | null {
    if (!this.restricted) return null;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return 'not a valid URL';
    }
    if (!(u.protocol in DEFAULT_PORTS)) return `scheme ${u.protocol} is not allowed (http or https only)`;
    const host = u.hostname.toLowerCase();
    const port = u.port || DEFAULT_PORTS[u.protocol]!;
    const ok = this.rules.some((r) => (r.wildcard ? host.endsWith(`.${r.host}`) : host === r.host) && (r.port === null || r.port === port));
    return ok ? null : `host ${u.host} is not in ITSM_ALLOWED_HOSTS (${this.rules.map((r) => r.text).join(', ')})`;
  }

  /** Throws HostNotAllowedError when `url` may not be called. */
  check(url: string): void {
    const problem = this.problem(url);
    if (problem) throw new HostNotAllowedError(`refused before sending: ${problem}`);
  }
}
