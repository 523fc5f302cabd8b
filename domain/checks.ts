import { actorRoles } from './roles';
import { isCivilDate, isInstant } from './calendar';
import { finessProblem, finessSaid } from './finess';
import { EVENT_ID_PATTERN } from './ids';
import { isCents } from './money';
import { say, type Said } from './messages';
import { refusalOf, type Refusal } from './refusal';

/**
 * Plain checks of an event's form, for the workflow's update validators: they cost nothing to set
 * up (zod schemas built in workflow code would be rebuilt for every workflow), and answer the same
 * structured refusals as the edges' schemas (domain/schemas.ts) for the same rules.
 */
export class Problems {
  readonly list: Refusal[] = [];
  add(code: string, said: Said, path: string, value?: unknown): void {
    this.list.push(refusalOf(code, said, path, value));
  }
  get ok(): boolean {
    return this.list.length === 0;
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** The field at `key` of an object, or a problem when it is missing or of another type. */
function typed<T>(
  p: Problems,
  obj: Record<string, unknown>,
  key: string,
  path: string,
  type: 'string' | 'number' | 'boolean' | 'object' | 'array',
  optional = false,
): T | undefined {
  const v = obj[key];
  const at = join(path, key);
  if (v === undefined && optional) return undefined;
  if (type === 'object' ? !isRecord(v) : type === 'array' ? !Array.isArray(v) : typeof v !== type) {
    p.add('invalid_type', say('expected_type', { expected: type, received: typeOf(v) }), at, v);
    return undefined;
  }
  return v as T;
}

export const check = {
  object(p: Problems, obj: Record<string, unknown>, key: string, path = '', optional = false) {
    return typed<Record<string, unknown>>(p, obj, key, path, 'object', optional);
  },
  array(p: Problems, obj: Record<string, unknown>, key: string, path = '', min = 0) {
    const v = typed<unknown[]>(p, obj, key, path, 'array');
    if (v && v.length < min) p.add('too_small', say('at_least_items', { min }), join(path, key), v);
    return v;
  },
  boolean(p: Problems, obj: Record<string, unknown>, key: string, path = '') {
    return typed<boolean>(p, obj, key, path, 'boolean');
  },
  string(
    p: Problems,
    obj: Record<string, unknown>,
    key: string,
    path = '',
    { min = 1, max = 500, optional = false }: { min?: number; max?: number; optional?: boolean } = {},
  ) {
    const v = typed<string>(p, obj, key, path, 'string', optional);
    if (v === undefined) return undefined;
    if (v.length < min) p.add('too_small', say('at_least_chars', { min }), join(path, key), v);
    else if (v.length > max) p.add('too_big', say('at_most_chars', { max }), join(path, key), v);
    else return v;
    return undefined;
  },
  oneOf<T extends string>(
    p: Problems,
    obj: Record<string, unknown>,
    key: string,
    values: readonly T[],
    path = '',
  ): T | undefined {
    const v = obj[key];
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    p.add('invalid_value', say('one_of', { values: values.map((x) => `"${x}"`).join(', ') }), join(path, key), v);
    return undefined;
  },
  instant(p: Problems, obj: Record<string, unknown>, key: string, path = '', optional = false) {
    const v = typed<string>(p, obj, key, path, 'string', optional);
    if (v === undefined) return undefined;
    if (isInstant(v)) return v;
    p.add('invalid_format', say('instant_expected'), join(path, key), v);
    return undefined;
  },
  civilDate(p: Problems, obj: Record<string, unknown>, key: string, path = '') {
    const v = typed<string>(p, obj, key, path, 'string');
    if (v === undefined) return undefined;
    if (isCivilDate(v)) return v;
    p.add('invalid_format', say('civil_date_expected'), join(path, key), v);
    return undefined;
  },
  cents(p: Problems, obj: Record<string, unknown>, key: string, path = '') {
    const v = obj[key];
    if (isCents(v)) return v;
    p.add(typeof v === 'number' ? 'invalid_value' : 'invalid_type', say('cents_expected'), join(path, key), v);
    return undefined;
  },
  rate(p: Problems, obj: Record<string, unknown>, key: string, path = '') {
    const v = obj[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100) return v;
    p.add(typeof v === 'number' ? 'invalid_value' : 'invalid_type', say('rate_expected'), join(path, key), v);
    return undefined;
  },
  sha256(p: Problems, obj: Record<string, unknown>, key: string, path = '') {
    const v = typed<string>(p, obj, key, path, 'string');
    if (v === undefined) return undefined;
    if (/^[0-9a-f]{64}$/.test(v)) return v;
    p.add('invalid_format', say('sha256_expected'), join(path, key), v);
    return undefined;
  },
  finess(p: Problems, obj: Record<string, unknown>, key: string, path = '') {
    const v = typed<string>(p, obj, key, path, 'string');
    if (v === undefined) return undefined;
    const problem = finessProblem(v);
    if (!problem) return v;
    p.add('invalid_format', finessSaid(problem, v), join(path, key), v);
    return undefined;
  },
};

/** The check of an event's form: its id and actor (checkEvent), then what `body` checks of the rest. */
export const eventFormOf =
  (body: (p: Problems, e: Record<string, unknown>) => void) =>
  (raw: unknown): Refusal[] => {
    const p = new Problems();
    const e = checkEvent(p, raw);
    body(p, e);
    return p.list;
  };

/**
 * What every external event carries: its id (the one grammar of event ids) and who sent it. Answers
 * the event as an object when it is one, for the caller's own checks.
 */
export function checkEvent(p: Problems, raw: unknown): Record<string, unknown> {
  if (!isRecord(raw)) {
    p.add('invalid_type', say('expected_type', { expected: 'object', received: typeOf(raw) }), '', raw);
    return {};
  }
  const id = raw.eventId;
  if (typeof id !== 'string' || !EVENT_ID_PATTERN.test(id))
    p.add(typeof id === 'string' ? 'invalid_format' : 'invalid_type', say('event_id_expected'), 'eventId', id);
  const actor = check.object(p, raw, 'actor');
  if (actor) {
    check.oneOf(p, actor, 'role', actorRoles, 'actor');
    check.string(p, actor, 'id', 'actor', { max: 128 });
  }
  return raw;
}
