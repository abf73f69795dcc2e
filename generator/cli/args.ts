/** Parses `--name value` / `--flag` arguments; unknown options are an error with the list of known ones. */
export function parseArgs(argv: string[], known: Record<string, 'value' | 'flag'>): { positional: string[]; options: Record<string, string | true> } {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const kind = known[name];
    if (!kind) throw new UsageError(`unknown option --${name} (known: ${Object.keys(known).map((k) => '--' + k).join(', ')})`);
    if (kind === 'flag') {
      options[name] = true;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    }
  }
  return { positional, options };
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
