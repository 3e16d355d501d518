// Strict checks of what a PMS sends: the body (the client's own zod schemas,
// src/healthengine/schemas.ts) plus explicit checks where the spec is loose.
// Every failure is a 400 whose `error` names the field and the problem,
// never echoing a value that could be patient data.
import type { z } from 'zod';
import { describeIssue } from '../healthengine/zod-issues.ts';
import { badRequest } from './api-error.ts';

/** Parses `value` with `schema` or throws 400 "body.field: problem". */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(describeIssue(parsed.error, root));
  return parsed.data;
}

/** Throws 400 when two items share a key (e.g. pmsResourceId must be unique). */
export function requireUnique<T>(items: readonly T[], key: (item: T) => string | undefined, label: string, root = 'body'): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined) {
      throw badRequest(`${root}[${index}].${label}: must be unique, '${k}' is also at ${root}[${first}]`);
    }
    seen.set(k, index);
  });
}

/** "" when every range starts before it ends, else the problem. */
export function rangeProblem(ranges: readonly { start: string; end: string }[], root: string): string | undefined {
  for (const [i, r] of ranges.entries()) {
    if (r.start >= r.end) return `${root}[${i}]: start ${r.start} must be before end ${r.end}`;
  }
  return undefined;
}

/** Throws 400 unless the raw path parameter is a positive integer. */
export function intParam(name: string, raw: string): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw badRequest(`${name} must be a positive integer`);
  return Number(raw);
}

export interface QuerySpec {
  /** Parameter name -> kind; anything else in the query string is refused. */
  [name: string]: { kind: 'page' | 'string' | 'datetime'; required?: boolean };
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2} ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

/** Validates the query string against `spec`; returns the values. */
export function checkQuery(spec: QuerySpec, query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of new Set(query.keys())) {
    const rule = spec[name];
    if (!rule) throw badRequest(`query parameter '${name}' is not accepted here`);
    const values = query.getAll(name);
    if (values.length > 1) throw badRequest(`query parameter '${name}' given more than once`);
    const value = values[0] ?? '';
    if (rule.kind === 'page' && !/^[1-9]\d{0,8}$/.test(value)) throw badRequest(`${name} must be a positive integer`);
    if (rule.kind === 'datetime' && !DATETIME_RE.test(value)) throw badRequest(`${name} must be a datetime YYYY-MM-DD HH:MM:SS`);
    if (rule.kind === 'string' && value === '') throw badRequest(`${name} must not be empty`);
    out[name] = value;
  }
  for (const [name, rule] of Object.entries(spec)) {
    if (rule.required && out[name] === undefined) throw badRequest(`query parameter '${name}' is required`);
  }
  return out;
}
