import { createRequire } from 'node:module';
import type standaloneModule from 'ajv/dist/standalone/index.js';
import { strictAjv } from '../../load/check-attributes.js';
import type { EmitContext, EmittedFile, Emitter } from '../../emit/file-map.js';
import { attributeValidatorName, OPEN_ATTRIBUTES_VALIDATOR_NAME, patternValidatorName } from './validator-names.js';

/**
 * `validators.js` (+ `.d.ts`): ajv standalone validators, one per attribute and per pattern family
 * (and one for the open attributes, when the schema has them),
 * so no schema is compiled at run time. The few ajv runtime helpers the code needs come from the
 * sessiongen runtime instead of `require()`, which ESM cannot use.
 */
// ajv's standalone entry is CommonJS whose default export NodeNext typing cannot call directly.
const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone') as typeof standaloneModule.default;

export const validatorsEmitter: Emitter = {
  name: 'validators',
  emit({ model, runtimeImport }: EmitContext): EmittedFile[] {
    const ajv = strictAjv();
    ajv.opts.code.source = true;
    ajv.opts.code.esm = true;
    ajv.opts.code.lines = true;
    const defs = model.schema.$defs ?? {};
    const exports: Record<string, string> = {};
    for (const attribute of model.attributes) {
      const id = `sessiongen:${model.namespace}/attribute/${attribute.name}`;
      ajv.addSchema(withDefs(id, attribute.schema, defs));
      exports[attributeValidatorName(attribute)] = id;
    }
    for (const family of model.patternAttributes) {
      const id = `sessiongen:${model.namespace}/pattern/${family.prefix}`;
      ajv.addSchema(withDefs(id, family.schema, defs));
      exports[patternValidatorName(family)] = id;
    }
    if (model.openAttributes) {
      const id = `sessiongen:${model.namespace}/open`;
      ajv.addSchema(withDefs(id, model.openAttributes.schema, defs));
      exports[OPEN_ATTRIBUTES_VALIDATOR_NAME] = id;
    }
    const code = rewriteRequires(standaloneCode(ajv, exports), runtimeImport);
    const declarations = [
      `import type { AttributeValidator } from '${runtimeImport}';`,
      '',
      ...Object.keys(exports).map((name) => `export declare const ${name}: AttributeValidator;`),
      '',
    ].join('\n');
    return [
      { path: 'validators.js', content: code.endsWith('\n') ? code : code + '\n' },
      { path: 'validators.d.ts', content: declarations },
    ];
  },
};

const RUNTIME_HELPERS: Record<string, string> = {
  'ajv/dist/runtime/ucs2length': 'ucs2length',
  'ajv/dist/runtime/equal': 'deepEqual',
};

function rewriteRequires(code: string, runtimeImport: string): string {
  const used = new Set<string>();
  const rewritten = code.replace(/require\("([^"]+)"\)(\.default)?/g, (whole, module: string) => {
    const helper = RUNTIME_HELPERS[module];
    if (!helper) throw new Error(`validators: ajv emitted require("${module}"), which sessiongen does not provide`);
    used.add(helper);
    return helper;
  });
  const header = used.size ? `import { ${[...used].sort().join(', ')} } from '${runtimeImport}';\n` : '';
  return header + rewritten.replace(/^"use strict";\n?/, '');
}

/** The attribute's schema under its own id, with the `$defs` only when it refers to them. */
function withDefs(id: string, schema: object, defs: object): object {
  return JSON.stringify(schema).includes('#/$defs/') ? { $id: id, ...schema, $defs: defs } : { $id: id, ...schema };
}
