import { en as zodEn, fr as zodFr } from 'zod/v4/locales';
import { render, type Lang } from './messages';
import type { Refusal } from './refusal';
import { boundedRefusal } from './refusal-bounds';

/**
 * A refusal in its reader's language, from the catalogue (domain/messages.ts) or, for a zod issue the
 * catalogue does not name, from zod's own locale. Edges call it (the API, the console); workflow code
 * never does (it would bundle zod's locales into every workflow).
 */
const zodLocales = { fr: zodFr().localeError, en: zodEn().localeError };

export function localizeRefusal(r: Refusal, lang: Lang): Refusal {
  if (lang === 'en') return r;
  const fromCatalogue = r.key ? render(r.key, r.params, lang) : undefined;
  if (fromCatalogue) return { ...r, message: fromCatalogue };
  if (r.issue) {
    const said = zodLocales[lang]({ ...r.issue, input: r.value } as never);
    const message = typeof said === 'string' ? said : said?.message;
    if (message) return { ...r, message };
  }
  return r;
}

/**
 * What a reader sees of a refusal: its code, message, field and value (the catalogue's key stays
 * inside), bounded — a refusal never echoes back the 120 KB it refuses.
 */
export function publicRefusal(r: Refusal, lang: Lang) {
  const { code, message, path, value } = localizeRefusal(boundedRefusal(r), lang);
  return { code, message, path, ...(value === undefined ? {} : { value }) };
}
