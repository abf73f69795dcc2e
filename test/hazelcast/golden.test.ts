/**
 * Golden files for the Hazelcast emitter: the member config (XML and YAML) and the client mapping,
 * for the example schema and for a fixture that differs in every setting the emitter reads
 * (never-expiring default, 2 backups, a dotted map name, integer/boolean/number indexes).
 * `UPDATE_GOLDEN=1 npx vitest run test/hazelcast/golden.test.ts` rewrites them after a deliberate change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withBanner } from '../../generator/emit/banner.js';
import { hazelcastEmitter } from '../../generator/emitters/hazelcast/hazelcast-files.js';
import { loadSchema } from '../../generator/load/load-schema.js';

// The example schema's golden files are the committed generated/hazelcast/ (with their banner);
// the ledger fixture's live in test/hazelcast/golden/ledger/.
const CASES = [
  { name: 'app', schema: 'schema/app-session.schema.json', golden: (file: string) => `generated/hazelcast/${file}`, banner: true },
  { name: 'ledger', schema: 'test/hazelcast/fixtures/ledger.schema.json', golden: (file: string) => `test/hazelcast/golden/ledger/${file}${file.endsWith('.ts') ? '' : '.golden'}`, banner: false },
];
const FILES = ['member.xml', 'member.yaml', 'mapping.ts'];

function emitted(schema: string): Map<string, string> {
  const files = hazelcastEmitter.emit({ model: loadSchema(schema), runtimeImport: '@sessiongen/runtime' });
  return new Map(files.map((file) => [file.path.replace(/^hazelcast\//, ''), file.content]));
}

describe('hazelcast emitter golden files', () => {
  for (const { name, schema, golden: goldenOf, banner } of CASES) {
    for (const file of FILES) {
      it(`${name}: ${file}`, () => {
        const raw = emitted(schema).get(file);
        expect(raw, `${file} emitted`).toBeDefined();
        const content = banner ? withBanner(`hazelcast/${file}`, raw!, schema) : raw!;
        // TypeScript goldens keep their extension: they are compiled, and the member tests import one.
        const golden = goldenOf(file);
        if (process.env.UPDATE_GOLDEN && !banner) writeFileSync(golden, content);
        expect(content).toBe(readFileSync(golden, 'utf8'));
      });
    }
  }

  it('emits exactly the three files, under hazelcast/', () => {
    const files = hazelcastEmitter.emit({ model: loadSchema(CASES[0]!.schema), runtimeImport: '@sessiongen/runtime' });
    expect(files.map((file) => file.path)).toEqual(['hazelcast/member.xml', 'hazelcast/member.yaml', 'hazelcast/mapping.ts']);
  });

  it('XML and YAML say the same things: map, backups, TTL, one HASH index per indexed attribute', () => {
    for (const { schema } of CASES) {
      const model = loadSchema(schema);
      const files = emitted(schema);
      const xml = files.get('member.xml')!;
      const yaml = files.get('member.yaml')!;
      const ttl = model.maxInactiveInterval > 0 ? model.maxInactiveInterval : 0;
      expect(xml).toContain(`<map name="${model.stores.hazelcast.map}">`);
      expect(yaml).toContain(`    "${model.stores.hazelcast.map}":\n`);
      expect(xml).toContain(`<backup-count>${model.stores.hazelcast.backupCount}</backup-count>`);
      expect(yaml).toContain(`backup-count: ${model.stores.hazelcast.backupCount}\n`);
      expect(xml).toContain(`<time-to-live-seconds>${ttl}</time-to-live-seconds>`);
      expect(yaml).toContain(`time-to-live-seconds: ${ttl}\n`);
      expect(xml.match(/<index name=/g)).toHaveLength(model.indexes.length);
      expect(yaml.match(/- name: /g)).toHaveLength(model.indexes.length);
      for (const index of model.indexes) {
        expect(xml).toContain(`<attribute>${index.column}</attribute>`);
        expect(yaml).toContain(`- "${index.column}"`);
      }
      // Nothing of ours on the member: no serializer, extractor or user-code class anywhere.
      for (const text of [xml, yaml]) expect(text).not.toMatch(/serializer|extractor|class-name: (?!com\.hazelcast\.)|user-code|sessiongen\.\w+\.\w+/i);
      // Starts with the root element: the banner comment is the only thing before it (no XML declaration after a comment).
      expect(xml.startsWith('<hazelcast ')).toBe(true);
    }
  });
});
