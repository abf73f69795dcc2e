import type { SessionModel } from './model/model.js';
import { withBanner } from './emit/banner.js';
import type { EmittedFile } from './emit/file-map.js';
import { toJavaScript, type OutputLanguage } from './emit/javascript.js';
import { EMITTERS } from './emitters/all.js';

export interface GenerateOptions {
  runtimeImport?: string;
  /** The output folder's current files (path → content), for emitters that build on earlier output. */
  previous?: ReadonlyMap<string, string>;
  /** `ts` (default): TypeScript modules; `js`: ESM JavaScript with a `.d.ts` beside every `.js`. */
  lang?: OutputLanguage;
}

/** The whole output for a model: pure, deterministic (same model, same bytes), banners added. */
export function generateFiles(model: SessionModel, options: GenerateOptions = {}): Map<string, string> {
  const context = { model, runtimeImport: options.runtimeImport ?? '@sessiongen/runtime', previous: options.previous };
  let emitted: EmittedFile[] = [];
  const emitterOf = new Map<string, string>();
  for (const emitter of EMITTERS) {
    for (const file of emitter.emit(context) as EmittedFile[]) {
      if (emitterOf.has(file.path)) throw new Error(`emitters '${emitter.name}' and '${emitterOf.get(file.path)}' both emit ${file.path}`);
      emitterOf.set(file.path, emitter.name);
      emitted.push(file);
    }
  }
  if (options.lang === 'js') emitted = toJavaScript(emitted);
  const files = new Map<string, string>();
  for (const file of emitted) {
    if (files.has(file.path)) throw new Error(`${file.path} is emitted twice`);
    files.set(file.path, withBanner(file.path, file.content, model.sourcePath));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
