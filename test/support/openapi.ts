// Locates Healthengine's published OpenAPI spec (and the Postman collection
// beside it) for the tests that hold the client and the sandbox to it.
//   HEALTHENGINE_OPENAPI=/path/to/openapi.yaml   wins when set;
//   else ../shared/healthengine/openapi.yaml next to the repo (as in CI).
// Missing: with CI=true this throws (the contract tests must run in CI);
// otherwise the dependent tests skip with a message naming the variable.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const OPENAPI_ENV = 'HEALTHENGINE_OPENAPI';
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  nullable?: boolean;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  allOf?: OpenApiSchema[];
}

export interface OpenApiOperation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema: OpenApiSchema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: OpenApiSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> } | { $ref: string }>;
}

export interface OpenApiSpec {
  info: { version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, OpenApiSchema>; responses: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> }> };
}

export function locateSpec(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const candidate = env[OPENAPI_ENV] ?? resolve(REPO_ROOT, '../shared/healthengine/openapi.yaml');
  if (existsSync(candidate)) return { path: candidate };
  const message =
    `Healthengine's OpenAPI spec was not found at ${candidate}. ` +
    `Set ${OPENAPI_ENV}=/path/to/openapi.yaml (Healthengine PMS API 1.9.0, published by Healthengine) ` +
    `to run the contract tests.`;
  if (env.CI === 'true') throw new Error(`${message} CI=true: these tests must not be skipped.`);
  return { missing: message };
}

const located = locateSpec();
export const specPath: string | undefined = 'path' in located ? located.path : undefined;
export const specMissingReason: string | undefined = 'missing' in located ? located.missing : undefined;
export const spec: OpenApiSpec | undefined = specPath ? (parse(readFileSync(specPath, 'utf8')) as OpenApiSpec) : undefined;
if (specMissingReason) console.warn(`[contract tests skipped] ${specMissingReason}`);

/** The Postman collection that sits beside the spec, when present. */
export function loadPostman(): { path: string; collection: PostmanCollection } | undefined {
  if (!specPath) return undefined;
  const path = join(dirname(specPath), 'postman_collection.json');
  if (!existsSync(path)) {
    if (process.env.CI === 'true') throw new Error(`postman_collection.json missing beside ${specPath}`);
    return undefined;
  }
  return { path, collection: JSON.parse(readFileSync(path, 'utf8')) as PostmanCollection };
}

export interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  request?: { method: string; url: string | { raw: string }; body?: { raw?: string } };
}
export interface PostmanCollection {
  item: PostmanItem[];
}

export interface PostmanRequest {
  name: string;
  method: string;
  /** Below /pms-api/v1, without the query string. */
  path: string;
  query: string;
  body: unknown;
}

/** Flattened Postman requests with their parsed bodies. */
export function postmanRequests(c: PostmanCollection): PostmanRequest[] {
  const out: PostmanRequest[] = [];
  const walk = (items: PostmanItem[]) => {
    for (const it of items) {
      if (it.item) walk(it.item);
      if (!it.request) continue;
      const raw = typeof it.request.url === 'string' ? it.request.url : it.request.url.raw;
      const [path = '', query = ''] = raw.replace(/^.*\/pms-api\/v1/, '').split('?');
      const text = it.request.body?.raw?.trim();
      out.push({ name: it.name, method: it.request.method, path, query, body: text ? JSON.parse(text) : undefined });
    }
  };
  walk(c.item);
  return out;
}

// ---------------------------------------------------------------------------
// spec access

export function resolveRef<T>(s: OpenApiSpec, ref: string): T {
  const parts = ref.replace(/^#\//, '').split('/');
  let node: unknown = s;
  for (const p of parts) node = (node as Record<string, unknown>)[p];
  if (node === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return node as T;
}

export interface SpecOperation {
  method: string;
  path: string;
  op: OpenApiOperation;
}

export function specOperations(s: OpenApiSpec): SpecOperation[] {
  const ops: SpecOperation[] = [];
  for (const [path, item] of Object.entries(s.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (['get', 'post', 'put', 'delete', 'patch'].includes(method)) ops.push({ method: method.toUpperCase(), path, op });
    }
  }
  return ops;
}

/** The spec operation a concrete call hits, e.g. POST /bookings/12/cancel. */
export function findOperation(s: OpenApiSpec, method: string, path: string): SpecOperation | undefined {
  return specOperations(s).find((o) => {
    if (o.method !== method) return false;
    const re = new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`);
    return re.test(path);
  });
}

export function requestBodySchema(o: SpecOperation): OpenApiSchema | undefined {
  return o.op.requestBody?.content['application/json']?.schema;
}

/** Schema of the answer with this status, null when the spec gives it no body, undefined when the status is not listed. */
export function responseSchema(s: OpenApiSpec, o: SpecOperation, status: number): OpenApiSchema | null | undefined {
  let r = o.op.responses[String(status)];
  if (r === undefined) return undefined;
  if ('$ref' in r) r = resolveRef(s, r.$ref);
  return (r as { content?: Record<string, { schema?: OpenApiSchema }> }).content?.['application/json']?.schema ?? null;
}

// ---------------------------------------------------------------------------
// a small validator for the OpenAPI 3.0 subset the spec uses

/** Descriptions that say a field can be null (API-FACTS: parse those nullable). */
export const SAYS_NULLABLE = /can be null|may be null|default null/i;

const FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^([01]\d|2[0-3]):[0-5]\d$/,
  datetime: /^\d{4}-\d{2}-\d{2} ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/,
};

export function validateAgainstSpec(s: OpenApiSpec, schema: OpenApiSchema, value: unknown, path = 'body'): string[] {
  const errors: string[] = [];
  const visit = (sc: OpenApiSchema, v: unknown, at: string): void => {
    if (sc.$ref) return visit(resolveRef<OpenApiSchema>(s, sc.$ref), v, at);
    if (sc.allOf) {
      for (const part of sc.allOf) visit(part, v, at);
      return;
    }
    if (v === null) {
      if (!sc.nullable && !SAYS_NULLABLE.test(sc.description ?? '')) errors.push(`${at}: null not allowed`);
      return;
    }
    const type = sc.type ?? (sc.properties ? 'object' : undefined);
    switch (type) {
      case 'object': {
        if (typeof v !== 'object' || Array.isArray(v)) return void errors.push(`${at}: expected object`);
        const o = v as Record<string, unknown>;
        for (const r of sc.required ?? []) if (o[r] === undefined) errors.push(`${at}.${r}: required`);
        for (const [k, p] of Object.entries(sc.properties ?? {})) if (o[k] !== undefined) visit(p, o[k], `${at}.${k}`);
        return;
      }
      case 'array':
        if (!Array.isArray(v)) return void errors.push(`${at}: expected array`);
        v.forEach((x, i) => sc.items && visit(sc.items, x, `${at}[${i}]`));
        return;
      case 'string': {
        if (typeof v !== 'string') return void errors.push(`${at}: expected string`);
        if (sc.enum && !sc.enum.includes(v)) errors.push(`${at}: not one of ${sc.enum.join('|')}`);
        const dob = sc.format === 'date' && /DD-MM-YYYY/.test(sc.description ?? '');
        const re = dob ? /^\d{2}-\d{2}-\d{4}$/ : FORMATS[sc.format ?? ''];
        if (re && !re.test(v)) errors.push(`${at}: not a ${dob ? 'DD-MM-YYYY date' : sc.format}`);
        return;
      }
      case 'integer':
        if (!Number.isInteger(v)) errors.push(`${at}: expected integer`);
        return;
      case 'number':
        if (typeof v !== 'number') errors.push(`${at}: expected number`);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') errors.push(`${at}: expected boolean`);
        return;
      default:
        return;
    }
  };
  visit(schema, value, path);
  return errors;
}

/** A recorded sandbox call, as far as the checks below need it. */
export interface RecordedExchange {
  method: string;
  path: string;
  body: unknown;
  status: number;
  response: unknown;
}

/**
 * What in this traffic disagrees with the spec: an unknown operation, a
 * request body that fails the operation's schema (or a body where it takes
 * none), a status it does not list, an answer that fails its schema. 403 may
 * come from any operation (API-FACTS: no live consent is refused everywhere).
 */
export function trafficProblems(s: OpenApiSpec, calls: readonly RecordedExchange[]): string[] {
  const problems: string[] = [];
  for (const call of calls) {
    const op = findOperation(s, call.method, call.path);
    const at = `${call.method} ${call.path}`;
    if (!op) {
      problems.push(`${at}: not an operation of the spec`);
      continue;
    }
    const reqSchema = requestBodySchema(op);
    if (reqSchema && call.status !== 401 && call.status !== 403) {
      problems.push(...validateAgainstSpec(s, reqSchema, call.body).map((p) => `${at} request ${p}`));
    }
    if (!reqSchema && call.body !== undefined) problems.push(`${at}: sent a body the operation does not take`);
    if (call.status === 403) continue;
    const resSchema = responseSchema(s, op, call.status);
    if (resSchema === undefined) problems.push(`${at}: status ${call.status} is not listed for this operation`);
    else if (resSchema) problems.push(...validateAgainstSpec(s, resSchema, call.response, 'response').map((p) => `${at} ${p}`));
  }
  return problems;
}
