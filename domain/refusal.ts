import type { ZodError } from 'zod';

/**
 * A structured refusal: what every boundary (client, API, CLI, workflow update) answers for bad input.
 * `path` names the offending field ("essms.2"), `value` what was received.
 */
export interface Refusal {
  code: string;
  message: string;
  path: string;
  value?: unknown;
}

export class RefusedError extends Error {
  constructor(readonly refusals: Refusal[]) {
    super(refusals.map((r) => (r.path ? `${r.path}: ${r.message}` : r.message)).join('; '));
    this.name = 'RefusedError';
  }
}

export function refuse(code: string, message: string, path = '', value?: unknown): RefusedError {
  return new RefusedError([{ code, message, path, ...(value === undefined ? {} : { value }) }]);
}

/** zod's issue codes as refusal codes: invalid_type, invalid_format, too_small… → invalid_… */
export const invalidCode = (zodCode: string) => (zodCode.startsWith('invalid_') ? zodCode : `invalid_${zodCode}`);

export function refusalsFromZod(error: ZodError, input?: unknown): Refusal[] {
  return error.issues.map((issue) => ({
    code: invalidCode(issue.code),
    message: issue.message,
    path: issue.path.join('.'),
    ...valueAt(input, issue.path),
  }));
}

export function valueAt(input: unknown, path: PropertyKey[]): { value?: unknown } {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return {};
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur === undefined ? {} : { value: cur };
}

/** Parse with a schema, or throw every problem as one structured refusal (paths under `at`, if given). */
export function parseOrRefuse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, input: unknown, at?: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new RefusedError(refusalsFromZod(result.error, input).map((r) => (at ? { ...r, path: r.path ? `${at}.${r.path}` : at } : r)));
  return result.data;
}
