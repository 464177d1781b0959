import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEPLOYED_HEAP_MB, DEPLOYED_SEMI_SPACE_MB, serviceV8Flags } from './v8-flags.js';

describe('the benches deploy the service as the Dockerfile does', () => {
  it('uses the Dockerfile NODE_OPTIONS flags by default', () => {
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const nodeOptions = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1];
    expect(nodeOptions?.split(' ')).toEqual(serviceV8Flags(DEPLOYED_HEAP_MB, DEPLOYED_SEMI_SPACE_MB));
  });
  it('leaves out a flag given as 0', () => {
    expect(serviceV8Flags(0, 4)).toEqual(['--max-semi-space-size=4']);
    expect(serviceV8Flags(192, 0)).toEqual(['--max-old-space-size=192']);
  });
});
