import sjson from 'secure-json-parse';
import { say } from '../domain/messages';
import { httpRefusal } from './errors';

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
      if (c === 92)
        i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH)
        return done(httpRefusal(400, 'too_deep', say('too_deep', { max: MAX_JSON_DEPTH }), 'body'));
    } else if (c === 125 || c === 93) depth--;
  }
  if (body.trim() === '') return done(null, undefined);
  try {
    // secure-json-parse, as Fastify's own parser: a __proto__ or constructor key is refused, not merged
    done(null, sjson.parse(body, { protoAction: 'error', constructorAction: 'error' }));
  } catch (err) {
    done(httpRefusal(400, 'invalid_json', say('invalid_json', { problem: (err as Error).message }), 'body'));
  }
}
