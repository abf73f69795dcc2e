/** Name conversions shared by the loader and every emitter. */

export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal[0]!.toLowerCase() + pascal.slice(1);
}

/** The literal characters a regular expression requires at the start of a match (`^draft:[a-z]` → `draft:`). */
export function literalPrefix(pattern: string): string {
  if (!pattern.startsWith('^')) return '';
  let prefix = '';
  for (let i = 1; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (/[A-Za-z0-9_:\-.@/]/.test(ch) && ch !== '.') {
      const next = pattern[i + 1];
      if (next === '?' || next === '*' || next === '{') break;
      prefix += ch;
    } else if (ch === '\\' && /[.:\-/@]/.test(pattern[i + 1] ?? '')) {
      const next = pattern[i + 2];
      if (next === '?' || next === '*' || next === '{') break;
      prefix += pattern[i + 1];
      i++;
    } else {
      break;
    }
  }
  return prefix;
}
