import { loadSchema } from '../load/load-schema.js';
import { formatIssue, SchemaError } from '../load/schema-error.js';
import { generateFiles } from '../generate.js';
import { OUTPUT_LANGUAGES, type OutputLanguage } from '../emit/javascript.js';
import { parseArgs, UsageError } from './args.js';
import { findSchema } from './find-schema.js';
import { staleFiles, writeOutput } from './output-dir.js';
import { MIGRATE_USAGE } from './migrate-usage.js';
import { readPreviousOutput } from './previous-output.js';

const USAGE = `usage: sessiongen generate [--schema FILE] [--out DIR] [--lang ts|js] [--check] [--runtime-import MODULE]

  --schema FILE            the session schema (default: the one schema/*.schema.json)
  --out DIR                where to write (default: generated)
  --lang ts|js             TypeScript modules (default), or ESM JavaScript with a .d.ts beside every .js
  --check                  write nothing; exit 1 naming the files that are stale
  --runtime-import MODULE  where generated code imports the runtime from (default: @sessiongen/runtime)

${MIGRATE_USAGE}`;

/** The CLI: returns the exit code (0 ok, 1 schema error or stale output, 2 usage or internal error). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'generate') return generate(rest);
    if (command === 'migrate') return await migrate(rest);
    if (command === undefined || command === '--help' || command === 'help') {
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command '${command}'`);
  } catch (err) {
    if (err instanceof SchemaError) {
      console.error(`sessiongen: the schema is invalid (${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}):`);
      for (const issue of err.issues) console.error('  ' + formatIssue(issue));
      return 1;
    }
    if (err instanceof UsageError) {
      console.error(`sessiongen: ${err.message}\n${USAGE}`);
      return 2;
    }
    console.error('sessiongen: internal error:', err);
    return 2;
  }
}

function generate(argv: string[]): number {
  const { options } = parseArgs(argv, { schema: 'value', out: 'value', lang: 'value', check: 'flag', 'runtime-import': 'value' });
  const lang = (options.lang as string | undefined) ?? 'ts';
  if (!(OUTPUT_LANGUAGES as readonly string[]).includes(lang)) throw new UsageError(`--lang ${lang}: not one of ${OUTPUT_LANGUAGES.join(', ')}`);
  const schemaPath = findSchema(options.schema as string | undefined);
  const out = (options.out as string | undefined) ?? 'generated';
  const model = loadSchema(schemaPath);
  const files = generateFiles(model, {
    runtimeImport: (options['runtime-import'] as string | undefined) ?? '@sessiongen/runtime',
    previous: readPreviousOutput(out),
    lang: lang as OutputLanguage,
  });
  if (options.check) {
    const stale = staleFiles(out, files);
    if (stale.length > 0) {
      console.error(`sessiongen: ${out}/ is stale for ${schemaPath}; run \`npx sessiongen generate${lang === 'ts' ? '' : ` --lang ${lang}`}\`:`);
      for (const line of stale) console.error('  ' + line);
      return 1;
    }
    console.log(`sessiongen: ${out}/ is up to date with ${schemaPath} (${files.size} files)`);
    return 0;
  }
  const { written, removed } = writeOutput(out, files);
  console.log(`sessiongen: ${schemaPath} → ${out}/: ${written.length} written, ${files.size - written.length} unchanged, ${removed.length} removed`);
  return 0;
}

async function migrate(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv, { out: 'value', client: 'value', url: 'value', table: 'value', rollback: 'flag', status: 'flag' });
  const { migrateCommand } = await import('./migrate.js');
  return migrateCommand({
    out: options.out as string | undefined,
    client: options.client as string | undefined,
    url: options.url as string | undefined,
    table: options.table as string | undefined,
    rollback: options.rollback === true,
    status: options.status === true,
  });
}
