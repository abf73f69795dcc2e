import { createRequire } from 'node:module';
import { MissingDependencyError } from './errors.js';

const requireFromRuntime = createRequire(import.meta.url);

/**
 * Loads a driver or framework package that the runtime lists as an optional peer dependency, at
 * the moment a store or integration first needs it, so importing an entry never loads a driver
 * the app does not use. A missing package fails with an error that names it and how to install it.
 */
export function loadOptionalDependency<T>(name: string, neededBy: string): T {
  try {
    return requireFromRuntime(name) as T;
  } catch (err) {
    const code = (err as { code?: string } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${name}'`)) {
      throw new MissingDependencyError(name, neededBy);
    }
    throw err;
  }
}
