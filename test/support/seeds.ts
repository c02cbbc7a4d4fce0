import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

// The vendors' own documents (../shared/seeds, beside the repository), read as data: the OpenAPI
// blocks of the pages that have one, and the field lists of the prose page (seed 002), so a test
// can hold a fake's responses to what the vendor documents rather than to our own copy of it.

const seedsDir = new URL('../../../shared/seeds/', import.meta.url);

/** A seed page by its number, e.g. `000`. */
export function seedPage(number: string): string {
  const file = readdirSync(seedsDir).find((name) => name.startsWith(`${number}_`));
  if (!file) throw new Error(`no seed ${number} in ${seedsDir.pathname}`);
  return readFileSync(new URL(file, seedsDir), 'utf8');
}

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  type?: string | string[];
};
interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
  components?: { schemas?: Record<string, Schema> };
}

/** The OpenAPI document a seed page embeds (its ````yaml block). */
function openApiOf(page: string): OpenApi {
  const block = /^````yaml[^\n]*\n([\s\S]*?)^````/m.exec(page)?.[1];
  if (!block) throw new Error('the seed page has no OpenAPI block');
  return parse(block) as OpenApi;
}

/** What the vendor documents one response as: the key paths of a payload it does not declare. */
export interface DocumentedResponse {
  undeclared(payload: unknown): string[];
}

/** The JSON schema a seed page's OpenAPI block gives for one route's response. */
export function documentedResponse(page: string, path: string, method: string, status: number): DocumentedResponse {
  const document = openApiOf(page);
  const schema = document.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`the seed documents no ${status} for ${method.toUpperCase()} ${path}`);
  const resolve = (node: Schema): Schema => {
    if (node.$ref) return resolve(document.components?.schemas?.[node.$ref.replace('#/components/schemas/', '')] ?? {});
    if (!node.allOf) return node;
    // allOf: the union of the parts' properties.
    const parts = node.allOf.map(resolve);
    return {
      ...node,
      allOf: undefined,
      properties: Object.fromEntries(parts.flatMap((part) => Object.entries(part.properties ?? {}))),
    };
  };
  const walk = (value: unknown, node: Schema, at: string, found: string[]) => {
    const schema = resolve(node);
    if (Array.isArray(value)) {
      if (schema.items) value.forEach((item, index) => walk(item, schema.items!, `${at}[${index}]`, found));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    // An object with no declared properties is free-form (metadata, custom attributes).
    if (!schema.properties && schema.additionalProperties === undefined) return;
    for (const [key, child] of Object.entries(value)) {
      const declared = schema.properties?.[key];
      const extra = schema.additionalProperties;
      if (declared) walk(child, declared, `${at}.${key}`, found);
      else if (typeof extra === 'object') walk(child, extra, `${at}.${key}`, found);
      else if (extra !== true) found.push(`${at}.${key}`);
    }
  };
  return {
    undeclared(payload) {
      const found: string[] = [];
      walk(payload, schema, '$', found);
      return found;
    },
  };
}

const fieldLine = /^([A-Za-z][\w.]*?) ?(?:string|number|float|integer|boolean|datetime|array|object)\b/i;
const sampleKey = /"(\w+)":/g;

/**
 * The field names a prose section of a seed page documents, from the heading that starts it to the
 * next one: those its field list names (`name type …` lines; a dotted `a.b` names both) and those
 * its sample response shows. Seed 002 gives no nesting, so the names are not tied to a level.
 */
export function documentedFieldNames(page: string, heading: string, nextHeading: string): ReadonlySet<string> {
  const start = page.indexOf(`\n${heading}\n`);
  const end = page.indexOf(`\n${nextHeading}`, start + 1);
  if (start < 0 || end < 0) throw new Error(`no section "${heading}" followed by "${nextHeading}"`);
  const section = page.slice(start, end);
  const response = section.slice(section.indexOf('\nResponse\n'));
  const names = new Set<string>();
  for (const line of response.split('\n')) {
    for (const name of fieldLine.exec(line)?.[1]?.split('.') ?? []) names.add(name);
  }
  for (const [, key] of response.matchAll(sampleKey)) names.add(key!);
  return names;
}

/** The key paths of a payload whose name the section does not document; free-form objects skipped. */
export function undocumentedKeys(
  payload: unknown,
  documented: ReadonlySet<string>,
  freeForm: ReadonlySet<string>,
  at = '$',
): string[] {
  if (Array.isArray(payload))
    return payload.flatMap((item, index) => undocumentedKeys(item, documented, freeForm, `${at}[${index}]`));
  if (payload === null || typeof payload !== 'object') return [];
  return Object.entries(payload).flatMap(([key, value]) => {
    if (!documented.has(key)) return [`${at}.${key}`];
    return freeForm.has(key) ? [] : undocumentedKeys(value, documented, freeForm, `${at}.${key}`);
  });
}
