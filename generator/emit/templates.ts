import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT } from '../package-root.js';

const TEMPLATES = new URL('templates/', PACKAGE_ROOT);

/** An isolated Handlebars environment: no HTML escaping, strict about missing fields. */
const handlebars = Handlebars.create();
const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Registers a helper (such as a dialect's identifier quoting) for all templates. */
export function registerHelper(name: string, helper: Handlebars.HelperDelegate): void {
  handlebars.registerHelper(name, helper);
}

/** Renders `templates/<path>` with the given context. */
export function render(path: string, context: object): string {
  let template = cache.get(path);
  if (!template) {
    const source = readFileSync(new URL(path, TEMPLATES), 'utf8');
    template = handlebars.compile(source, { noEscape: true, strict: true });
    cache.set(path, template);
  }
  return template(context);
}
