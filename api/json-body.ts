import sjson from 'secure-json-parse';
import { HttpRefusal } from './errors';

/** Objects and arrays nested deeper than this are refused: no request of the API nests half as deep. */
export const MAX_JSON_DEPTH = 32;

/**
 * The API's JSON parser: the body's nesting is measured before it is parsed, so that a hostile body
 * (20,000 levels in 140 KB) is a 400 in the refusal format, never a stack overflow.
 */
export function parseJsonBounded(body: string, done: (err: Error | null, value?: unknown) => void): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return done(new HttpRefusal(400, [{ code: 'too_deep', message: `the body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep`, path: 'body' }]));
    } else if (c === 125 || c === 93) depth--;
  }
  if (body.trim() === '') return done(null, undefined);
  try {
    // secure-json-parse, as Fastify's own parser: a __proto__ or constructor key is refused, not merged
    done(null, sjson.parse(body, { protoAction: 'error', constructorAction: 'error' }));
  } catch (err) {
    done(new HttpRefusal(400, [{ code: 'invalid_json', message: `the body is not JSON: ${(err as Error).message}`, path: 'body' }]));
  }
}
