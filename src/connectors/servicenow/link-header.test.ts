import { describe, expect, it } from 'vitest';
import { parseLinkHeader } from './link-header.js';

describe('parseLinkHeader', () => {
  it('reads ServiceNow paging links', () => {
    const h =
      '<https://i.service-now.com/api/now/table/incident?sysparm_limit=2&sysparm_offset=0>;rel="first",' +
      '<https://i.service-now.com/api/now/table/incident?sysparm_limit=2&sysparm_offset=2>;rel="next",' +
      '<https://i.service-now.com/api/now/table/incident?sysparm_limit=2&sysparm_offset=8>;rel="last"';
    const links = parseLinkHeader(h);
    expect(links.next).toBe('https://i.service-now.com/api/now/table/incident?sysparm_limit=2&sysparm_offset=2');
    expect(links.last).toContain('sysparm_offset=8');
    expect(links.prev).toBeUndefined();
  });

  it('is empty for a missing header', () => {
    expect(parseLinkHeader(undefined)).toEqual({});
  });
});
