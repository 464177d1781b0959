import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectorDefinitionSchema } from './registry.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

describe('README: the POST /admin/connectors example', () => {
  it('is one valid connector (not the YAML list)', () => {
    const text = readFileSync(README, 'utf8');
    const section = text.slice(text.indexOf('**Creating a connector through the API.**'));
    const json = /```json\n([\s\S]*?)\n```/.exec(section)![1]!;
    const body = JSON.parse(json) as Record<string, unknown>;
    expect(body).not.toHaveProperty('connectors');
    const parsed = connectorDefinitionSchema.safeParse(body);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });
});
