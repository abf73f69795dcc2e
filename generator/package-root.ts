import { existsSync } from 'node:fs';

/**
 * The sessiongen package's folder, which holds `templates/` and `schema/`: one level above this
 * file when it runs from source (`generator/`), two when it runs compiled (`dist/generator/`).
 */
export const PACKAGE_ROOT: URL = [new URL('../', import.meta.url), new URL('../../', import.meta.url)].find((dir) =>
  existsSync(new URL('templates/', dir)),
) ?? new URL('../', import.meta.url);
