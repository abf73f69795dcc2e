/**
 * Open attributes: a schema whose `additionalProperties` is a schema (`{}`, `true`, or any schema)
 * keeps its declared attributes typed and validated and lets every other safe name through,
 * checked against that schema. The variants are the example schema with only
 * `additionalProperties` changed, generated into a folder inside the repository.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidAttributeError, MAX_ATTRIBUTE_NAME_LENGTH, MemorySessionStore, type SessionDescriptor } from '@sessiongen/runtime';
import { generateFiles } from '../../generator/generate.js';
import { loadSchema } from '../../generator/load/load-schema.js';

const ROOT = join('.test-results', `open-attributes-${randomBytes(6).toString('hex')}`);
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

interface Generated {
  dir: string;
  files: Map<string, string>;
}

/** The example schema with `additionalProperties` set to `open`, generated (TypeScript) into ROOT/<name>/generated/. */
function generateVariant(name: string, open: unknown): Generated {
  const schema = JSON.parse(readFileSync('schema/app-session.schema.json', 'utf8'));
  schema.additionalProperties = open;
  const dir = join(ROOT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema, null, 2));
  const files = generateFiles(loadSchema(join(dir, 'schema.json')));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, 'generated', path)), { recursive: true });
    writeFileSync(join(dir, 'generated', path), content);
  }
  return { dir, files };
}

type Repository = {
  createSession(): { set(name: string, value: unknown): unknown; get(name: string): unknown; id: string };
  save(session: unknown): Promise<string>;
  findById(id: string): Promise<{ get(name: string): unknown; attributeNames(): string[] } | null>;
};

/** The variant's generated repository over a memory store (the generated TypeScript, as an app imports it). */
async function repositoryOf(generated: Generated): Promise<Repository> {
  const module = await import(pathToFileURL(resolve(generated.dir, 'generated/index.ts')).href);
  const descriptor = module.appSessionDescriptor as SessionDescriptor;
  return new module.AppSessionRepository(new MemorySessionStore(descriptor, { sweepIntervalMs: 0 })) as Repository;
}

const rejects = (run: () => unknown, reason: RegExp) => {
  expect(run).toThrow(InvalidAttributeError);
  expect(run).toThrow(reason);
};

describe('open attributes: additionalProperties {}', () => {
  const generated = generateVariant('any', {});

  it('emits an open validator, the descriptor field and an index signature beside the declared attributes', () => {
    expect(generated.files.get('validators.d.ts')).toContain('export declare const validateOpenAttribute: AttributeValidator;');
    expect(generated.files.get('validators.js')).toContain('export const validateOpenAttribute');
    expect(generated.files.get('descriptor.ts')).toContain('openAttributes: { validate: validateOpenAttribute },');
    const types = generated.files.get('types.ts')!;
    expect(types).toContain('[name: string]: unknown;');
    expect(types).toContain('principalName?: string;');
    expect(types).toContain('[name: `draft:${string}`]: string;');
  });

  it('true means the same as {}', () => {
    const fromTrue = generateVariant('true', true).files;
    for (const path of ['types.ts', 'descriptor.ts', 'validators.js']) {
      expect(fromTrue.get(path)!.replaceAll('/true/schema.json', '/any/schema.json'), path).toBe(generated.files.get(path));
    }
  });

  it('stores any JSON value under an undeclared name, and still validates declared names and families', async () => {
    const repository = await repositoryOf(generated);
    const session = repository.createSession();
    session.set('legacyCart', { items: [{ id: 1 }], total: 3.5 });
    session.set('flash', ['saved']);
    session.set('draft:contact', 'text');
    rejects(() => session.set('principalName', 42), /must be string/);
    rejects(() => session.set('draft:contact', 42), /must be string/);
    // A name with a family's prefix belongs to the family: it must match the family's pattern.
    rejects(() => session.set('draft:NOT VALID', 'x'), /is not an attribute of AppSession/);
    expect(await repository.save(session)).toBe('saved');
    const found = (await repository.findById(session.id))!;
    expect(found.attributeNames().sort()).toEqual(['draft:contact', 'flash', 'legacyCart']);
    expect(found.get('legacyCart')).toEqual({ items: [{ id: 1 }], total: 3.5 });
  });

  it('rejects names no store can hold safely, at set, whatever the schema allows', async () => {
    const session = (await repositoryOf(generated)).createSession();
    rejects(() => session.set('', 1), /must not be empty/);
    rejects(() => session.set('x'.repeat(MAX_ATTRIBUTE_NAME_LENGTH + 1), 1), /at most 128 characters/);
    for (const name of ['a\nb', 'nul\u0000', 'tab\t', 'del\u007f', 'c1\u0085', 'lone\ud800']) rejects(() => session.set(name, 1), /control characters or lone surrogates/);
    rejects(() => session.set('#creationTime', 1), /must not start with '#'/);
    rejects(() => session.set('__proto__', { polluted: true }), /__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    session.set('x'.repeat(MAX_ATTRIBUTE_NAME_LENGTH), 1);
    session.set('a#b', 1);
    session.set('emoji 𝄞', 1);
  });

  it('types open names as unknown and keeps declared attributes typed (tsc over a fixture)', () => {
    const fixture = join(generated.dir, 'open-misuse.ts');
    copyFileSync('test/fixtures/type-errors/open-misuse.ts', fixture);
    const lines = readFileSync(fixture, 'utf8').split('\n');
    const marked = lines.flatMap((text, i) => (/\/\/ expect-error\s*$/.test(text) ? [i + 1] : []));
    expect(marked.length).toBeGreaterThanOrEqual(8);
    const config = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
    const options = ts.parseJsonConfigFileContent(config.config, ts.sys, process.cwd()).options;
    const program = ts.createProgram([fixture], { ...options, noEmit: true });
    const errors = new Map<string, string[]>();
    const inVariant = program.getSourceFiles().filter((file) => resolve(file.fileName).startsWith(resolve(generated.dir)));
    expect(inVariant.length).toBeGreaterThan(5);
    for (const file of inVariant) {
      for (const diagnostic of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
        const line = file.getLineAndCharacterOfPosition(diagnostic.start!).line + 1;
        const key = `${file.fileName.split('/').slice(-2).join('/')}:${line}`;
        errors.set(key, [...(errors.get(key) ?? []), ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')]);
      }
    }
    const report = [...errors].map(([where, messages]) => `${where}: ${messages.join('; ')}`).join('\n');
    expect([...errors.keys()], report).toEqual(marked.map((line) => `any/open-misuse.ts:${line}`));
  }, 30_000);
});

describe('open attributes: additionalProperties { "type": "string" }', () => {
  const generated = generateVariant('string', { type: 'string', maxLength: 20 });

  it('checks every open value against the schema, with the attribute in the error path', async () => {
    const repository = await repositoryOf(generated);
    const session = repository.createSession();
    session.set('note', 'short text');
    let error: unknown;
    try {
      session.set('note', 42);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidAttributeError);
    expect((error as InvalidAttributeError).path).toBe('/note');
    rejects(() => session.set('note', 'x'.repeat(21)), /must NOT have more than 20 characters/);
    rejects(() => session.set('roles', 'admin'), /must be array/);
    session.set('roles', ['admin']);
    expect(await repository.save(session)).toBe('saved');
    expect((await repository.findById(session.id))!.get('note')).toBe('short text');
  });
});

describe('closed attributes: additionalProperties false (the example schema)', () => {
  it('has no open validator, descriptor field or string index signature', () => {
    const files = generateFiles(loadSchema('schema/app-session.schema.json'));
    expect(files.get('validators.d.ts')).not.toContain('validateOpenAttribute');
    expect(files.get('descriptor.ts')).not.toContain('openAttributes');
    expect(files.get('types.ts')).not.toContain('[name: string]');
  });
});
