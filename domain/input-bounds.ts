import { say } from './messages';
import { refusalOf, type Refusal } from './refusal';
import { clipText, clipValue } from './refusal-bounds';

/**
 * The size of what a body may hold where the API does not check it field by field (the VA: its
 * workflow checks every rule at once and answers every reason, so the edge checks only sizes): no
 * field of a VA is longer than 200 characters (an instant, an invoice number of 64, a SHA-256), no
 * key longer than 64 (an indicator's name), no list longer than 500 (a BDC's ESSMS) nor object wider
 * than 100. What is larger is refused here, before it travels to Temporal or is kept anywhere.
 */
export const INPUT_LIMITS = { maxString: 200, maxKey: 64, maxItems: 500, maxKeys: 100 };

/** The fields too large, as refusals (at most `most`): each names its path, its value cut. */
export function oversized(input: unknown, at = 'body', limits = INPUT_LIMITS, most = 20): Refusal[] {
  const found: Refusal[] = [];
  const walk = (v: unknown, path: string) => {
    if (found.length >= most) return;
    if (typeof v === 'string') {
      if (v.length > limits.maxString)
        found.push(refusalOf('too_big', say('at_most_chars', { max: limits.maxString }), path, clipValue(v)));
      return;
    }
    if (Array.isArray(v)) {
      if (v.length > limits.maxItems)
        return void found.push(refusalOf('too_big', say('at_most_items', { max: limits.maxItems }), path));
      v.forEach((item, i) => walk(item, `${path}.${i}`));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const keys = Object.keys(v);
    if (keys.length > limits.maxKeys)
      return void found.push(refusalOf('too_big', say('at_most_items', { max: limits.maxKeys }), path));
    for (const key of keys) {
      if (key.length > limits.maxKey) {
        found.push(refusalOf('too_big', say('at_most_chars', { max: limits.maxKey }), `${path}.${clipText(key)}`));
        if (found.length >= most) return;
      } else walk((v as Record<string, unknown>)[key], `${path}.${key}`);
    }
  };
  walk(input, at);
  return found;
}
