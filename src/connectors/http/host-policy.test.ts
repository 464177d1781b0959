import { describe, expect, it } from 'vitest';
import { HostPolicy, hostPatternProblem } from './host-policy.js';

describe('HostPolicy (ITSM_ALLOWED_HOSTS)', () => {
  it('allows everything when no list is set', () => {
    expect(new HostPolicy([]).problem('http://169.254.169.254/latest')).toBeNull();
  });

  it('matches exact hosts, sub-domain wildcards and ports, case-insensitively', () => {
    const p = new HostPolicy(['*.service-now.com', 'Acme.Atlassian.net', '127.0.0.1:8081', '[::1]:8443']);
    for (const ok of ['https://acme.service-now.com/api', 'https://a.b.service-now.com', 'https://ACME.atlassian.net/rest', 'http://127.0.0.1:8081/x', 'https://[::1]:8443/']) expect([ok, p.problem(ok)]).toEqual([ok, null]);
    for (const bad of ['https://service-now.com', 'https://evil-service-now.com', 'https://acme.service-now.com.evil.example', 'http://127.0.0.1:8082', 'http://127.0.0.1', 'https://[::1]/', 'ftp://acme.service-now.com', 'not a url']) {
      expect([bad, p.problem(bad)]).toEqual([bad, expect.any(String)]);
    }
    expect(p.problem('http://127.0.0.1:9/x')).toBe('host 127.0.0.1:9 is not in ITSM_ALLOWED_HOSTS (*.service-now.com, Acme.Atlassian.net, 127.0.0.1:8081, [::1]:8443)');
    expect(() => p.check('https://evil.example')).toThrow(/^refused before sending: host evil.example is not in ITSM_ALLOWED_HOSTS/);
  });

  it('a port in the pattern is compared with the URL\'s effective port', () => {
    const p = new HostPolicy(['acme.atlassian.net:443']);
    expect(p.problem('https://acme.atlassian.net/')).toBeNull();
    expect(p.problem('http://acme.atlassian.net/')).not.toBeNull();
  });

  it('names what is not a pattern', () => {
    for (const bad of ['https://x.example/', 'a b', '*', '*.', 'x:99999', '**.x.com']) expect([bad, hostPatternProblem(bad)]).toEqual([bad, expect.stringMatching(/is not a host pattern/)]);
    for (const good of ['x', 'x.example', '*.x.example', 'x.example:8443', '10.0.0.1', '[fe80::1]']) expect([good, hostPatternProblem(good)]).toEqual([good, null]);
  });
});
