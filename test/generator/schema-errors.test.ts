import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSchema } from '../../generator/load/load-schema.js';
import { SchemaError } from '../../generator/load/schema-error.js';

const DIR = 'test/fixtures/invalid-schemas';
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<string, { pointer: string; expected: string }>;
const files = readdirSync(DIR).filter((name) => name.endsWith('.json') && name !== 'expected.json');

describe('invalid schemas', () => {
  it('has an expectation for every wrong schema in the corpus, and at least 15', () => {
    expect(files.map((name) => name.replace(/\.json$/, '')).sort()).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of files) {
    const want = expected[name.replace(/\.json$/, '')]!;
    it(`${name}: names the file, ${want.pointer || 'the document'} and what was expected`, () => {
      let error: unknown;
      try {
        loadSchema(`${DIR}/${name}`);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SchemaError);
      const issues = (error as SchemaError).issues;
      const match = issues.find((issue) => issue.pointer === want.pointer && issue.expected.includes(want.expected));
      expect(match, `issues were:\n${(error as Error).message}`).toBeDefined();
      expect(match!.file).toBe(`${DIR}/${name}`);
    });
  }

  it('the CLI prints file#pointer and exits non-zero without writing anything', () => {
    const result = spawnSync(process.execPath, ['bin/sessiongen.js', 'generate', '--schema', `${DIR}/unknown-index-attribute.json`, '--out', 'test/fixtures/never-written'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${DIR}/unknown-index-attribute.json#/x-sessiongen/indexes/1: expected one of the attributes under /properties`);
    expect(readdirSync('test/fixtures')).not.toContain('never-written');
  });

  it('a usage error exits 2 and shows the usage', () => {
    const result = spawnSync(process.execPath, ['bin/sessiongen.js', 'generate', '--bogus'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown option --bogus');
    expect(result.stderr).toContain('usage: sessiongen generate');
  });
});
