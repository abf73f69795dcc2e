/** The governance settings of `x-sessiongen` reach the generated descriptor, and through it the repository. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFiles } from '../../generator/generate.js';
import { loadSchema } from '../../generator/load/load-schema.js';

const temp = mkdtempSync(join(tmpdir(), 'sessiongen-governance-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The descriptor generated from the example schema with `settings` merged into its x-sessiongen. */
function descriptorWith(settings: Record<string, unknown>): string {
  const schema = JSON.parse(readFileSync('schema/app-session.schema.json', 'utf8'));
  Object.assign(schema['x-sessiongen'], settings);
  const path = join(temp, `${Object.keys(settings).join('-') || 'none'}-${Math.random().toString(36).slice(2)}.schema.json`);
  writeFileSync(path, JSON.stringify(schema));
  return generateFiles(loadSchema(path)).get('descriptor.ts')!;
}

describe('governance settings in the descriptor', () => {
  it('emits absoluteTimeout, maxSessionsPerPrincipal (a bare count ends the least recently used), touchInterval and devices', () => {
    const descriptor = descriptorWith({ absoluteTimeout: 28_800, maxSessionsPerPrincipal: 3, touchInterval: 60 });
    expect(descriptor).toContain('absoluteTimeout: 28800,');
    expect(descriptor).toContain("maxSessionsPerPrincipal: { max: 3, policy: 'end-least-recently-used' },");
    expect(descriptor).toContain('touchInterval: 60,');
    expect(descriptor).toContain('devices: true,');
  });

  it('emits the refuse policy, and nothing for settings the schema leaves out', () => {
    expect(descriptorWith({ maxSessionsPerPrincipal: { max: 1, policy: 'refuse' } })).toContain("maxSessionsPerPrincipal: { max: 1, policy: 'refuse' },");
    const plain = descriptorWith({ devices: false });
    for (const setting of ['absoluteTimeout', 'maxSessionsPerPrincipal', 'touchInterval', 'devices']) expect(plain).not.toContain(`${setting}:`);
  });
});
