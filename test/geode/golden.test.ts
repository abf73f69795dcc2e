/**
 * Golden files for the Geode emitter: cache.xml and the store's region data, for the example
 * schema and for a fixture that differs in every setting the emitter reads (never-expiring
 * default, so no expiring region; 2 redundant copies; a region name with '_'; integer, boolean and
 * number indexes; an index field named like an OQL keyword, `order`).
 * `UPDATE_GOLDEN=1 npx vitest run test/geode/golden.test.ts` rewrites them after a deliberate change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GEODE_QUERIES, geodeEntryTtlSeconds, geodeLongRegionName } from '@sessiongen/runtime/geode';
import { withBanner } from '../../generator/emit/banner.js';
import { geodeEmitter } from '../../generator/emitters/geode/geode-files.js';
import { loadSchema } from '../../generator/load/load-schema.js';

// The example schema's golden files are the committed generated/geode/ (with their banner); the
// ledger fixture's live in test/geode/golden/ledger/.
const CASES = [
  { name: 'app', schema: 'schema/app-session.schema.json', golden: (file: string) => `generated/geode/${file}`, banner: true },
  { name: 'ledger', schema: 'test/geode/fixtures/ledger.schema.json', golden: (file: string) => `test/geode/golden/ledger/${file}${file.endsWith('.ts') ? '' : '.golden'}`, banner: false },
];
const FILES = ['cache.xml', 'region.ts'];

function emitted(schema: string): Map<string, string> {
  const files = geodeEmitter.emit({ model: loadSchema(schema), runtimeImport: '@sessiongen/runtime' });
  return new Map(files.map((file) => [file.path.replace(/^geode\//, ''), file.content]));
}

describe('geode emitter golden files', () => {
  for (const { name, schema, golden: goldenOf, banner } of CASES) {
    for (const file of FILES) {
      it(`${name}: ${file}`, () => {
        const raw = emitted(schema).get(file);
        expect(raw, `${file} emitted`).toBeDefined();
        const content = banner ? withBanner(`geode/${file}`, raw!, schema) : raw!;
        const golden = goldenOf(file);
        if (process.env.UPDATE_GOLDEN && !banner) writeFileSync(golden, content);
        expect(content).toBe(readFileSync(golden, 'utf8'));
      });
    }
  }

  it('emits exactly cache.xml and region.ts, under geode/', () => {
    const files = geodeEmitter.emit({ model: loadSchema(CASES[0]!.schema), runtimeImport: '@sessiongen/runtime' });
    expect(files.map((file) => file.path)).toEqual(['geode/cache.xml', 'geode/region.ts']);
  });

  it('cache.xml: the expiring region only when sessions expire by default, its TTL, redundancy, one index per schema index plus expiry', () => {
    for (const { schema } of CASES) {
      const model = loadSchema(schema);
      const xml = emitted(schema).get('cache.xml')!;
      const { region, redundantCopies } = model.stores.geode;
      const ttl = geodeEntryTtlSeconds(model.maxInactiveInterval);
      expect(xml.includes(`<region name="${region}">`)).toBe(ttl > 0);
      expect(xml).toContain(`<region name="${geodeLongRegionName(region)}">`);
      if (ttl > 0) expect(xml).toContain(`<expiration-attributes timeout="${ttl}" action="destroy"/>`);
      else expect(xml).not.toContain('expiration-attributes');
      expect(xml.match(/redundant-copies="(\d)"/g)).toEqual(Array(ttl > 0 ? 2 : 1).fill(`redundant-copies="${redundantCopies}"`));
      expect(xml.match(/<index name=/g)).toHaveLength((model.indexes.length + 1) * (ttl > 0 ? 2 : 1));
      for (const index of model.indexes) expect(xml).toContain(`expression="s.&quot;${index.column}&quot;"`);
    }
  });

  it('the queries quote every field, so a field named like an OQL keyword is a field', () => {
    expect(GEODE_QUERIES.byIndex('Ledger_Sessions-long', 'order')).toBe('SELECT * FROM /Ledger_Sessions-long s WHERE s."order" = $1');
    expect(GEODE_QUERIES.due('r')).toBe('SELECT s."session_id" FROM /r s WHERE s."expiry_time" < $1 LIMIT $2');
  });
});
