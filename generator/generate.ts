import type { SessionModel } from './model/model.js';
import { withBanner } from './emit/banner.js';
import type { EmittedFile } from './emit/file-map.js';
import { EMITTERS } from './emitters/all.js';

export interface GenerateOptions {
  runtimeImport?: string;
  /** The output folder's current files (path → content), for emitters that build on earlier output. */
  previous?: ReadonlyMap<string, string>;
}

/** The whole output for a model: pure, deterministic (same model, same bytes), banners added. */
export function generateFiles(model: SessionModel, options: GenerateOptions = {}): Map<string, string> {
  const context = { model, runtimeImport: options.runtimeImport ?? '@sessiongen/runtime', previous: options.previous };
  const files = new Map<string, string>();
  for (const emitter of EMITTERS) {
    for (const file of emitter.emit(context) as EmittedFile[]) {
      if (files.has(file.path)) throw new Error(`emitters '${emitter.name}' and another both emit ${file.path}`);
      files.set(file.path, withBanner(file.path, file.content, model.sourcePath));
    }
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
