import type { ZodError } from 'zod';
import { keyOfText, type MessageKey, type Said } from './messages';

/**
 * A structured refusal: what every boundary (client, API, CLI, workflow update) answers for bad input.
 * `path` names the offending field ("essms.2"), `value` what was received. `message` is English;
 * `key` and `params` name the catalogue's message (domain/messages.ts), so that each edge says it in
 * its reader's language; `issue` is a zod issue the catalogue does not name (zod's own locales say it).
 */
export interface Refusal {
  code: string;
  message: string;
  path: string;
  value?: unknown;
  key?: MessageKey;
  params?: Record<string, string | number | boolean>;
  issue?: Record<string, unknown>;
}

/** The failure type a refusal travels as through Temporal (an update's answer, an activity's failure). */
export const REFUSED = 'Refused';

export class RefusedError extends Error {
  constructor(readonly refusals: Refusal[]) {
    super(refusals.map((r) => (r.path ? `${r.path}: ${r.message}` : r.message)).join('; '));
    this.name = 'RefusedError';
  }
}

/** A refusal of `code` saying `said` about the field at `path`. */
export function refusalOf(code: string, said: Said, path = '', value?: unknown): Refusal {
  return {
    code,
    message: said.message,
    path,
    ...(value === undefined ? {} : { value }),
    key: said.key,
    ...(said.params ? { params: said.params } : {}),
  };
}

export function refuse(code: string, said: Said, path = '', value?: unknown): RefusedError {
  return new RefusedError([refusalOf(code, said, path, value)]);
}

/** zod's issue codes as refusal codes: invalid_type, invalid_format, too_small… → invalid_… */
export const invalidCode = (zodCode: string) => (zodCode.startsWith('invalid_') ? zodCode : `invalid_${zodCode}`);

/**
 * A zod issue as a refusal: a message of the catalogue when the schema named one (its English text as
 * the message, or a `key` in a custom issue's params), else zod's own, kept to be translated by zod.
 */
export function refusalFromIssue(
  issue: { code: string; message: string; params?: unknown; [k: string]: unknown },
  path: string,
  value: { value?: unknown },
): Refusal {
  const custom = issue.params as { key?: MessageKey; [k: string]: unknown } | undefined;
  const code = invalidCode(issue.code);
  if (custom?.key) {
    const { key, ...params } = custom;
    return { code, message: issue.message, path, ...value, key, params: params as Record<string, string> };
  }
  const key = keyOfText(issue.message);
  if (key) return { code, message: issue.message, path, ...value, key };
  const { input: _input, path: _path, message: _message, inst: _inst, ...details } = issue;
  return { code, message: issue.message, path, ...value, issue: details };
}

export function refusalsFromZod(error: ZodError, input?: unknown): Refusal[] {
  return error.issues.map((issue) =>
    refusalFromIssue(
      issue as unknown as Parameters<typeof refusalFromIssue>[0],
      issue.path.join('.'),
      valueAt(input, issue.path),
    ),
  );
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
export function parseOrRefuse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  input: unknown,
  at?: string,
): T {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new RefusedError(
      refusalsFromZod(result.error, input).map((r) => (at ? { ...r, path: r.path ? `${at}.${r.path}` : at } : r)),
    );
  return result.data;
}
