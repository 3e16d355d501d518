// Turns a zod failure into "field: problem" without echoing the value, so
// patient data never reaches an error message or a log.
import type { z } from 'zod';

/** `data[0].patient.dob` style path; `(root)` for the value itself. */
export function formatPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export interface FirstIssue {
  field: string;
  problem: string;
}

/** The first issue of a zod error, deepest union branch included. */
export function firstIssue(error: z.ZodError, root = ''): FirstIssue {
  let issue = error.issues[0];
  let prefix: PropertyKey[] = [];
  // an invalid union names no field: report the closest branch's first issue instead
  while (issue && issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branch = issue.errors.find((b) => b.length > 0 && b[0]?.code !== 'invalid_type') ?? issue.errors[0];
    const next = branch?.[0];
    if (!next) break;
    prefix = [...prefix, ...issue.path];
    issue = next;
  }
  if (!issue) return { field: root || '(root)', problem: 'invalid' };
  const path = [...prefix, ...issue.path];
  const problem = /received undefined$/.test(issue.message) ? 'is required' : issue.message;
  return { field: formatPath(path, root), problem };
}

/** "field: problem" */
export function describeIssue(error: z.ZodError, root = ''): string {
  const { field, problem } = firstIssue(error, root);
  return `${field}: ${problem}`;
}
