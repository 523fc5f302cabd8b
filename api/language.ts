import { negotiate } from '@fastify/accept-negotiator';
import type { Lang } from '../domain/messages';

/** The reader's language from an Accept-Language header: French unless English is preferred to it. */
export function languageOf(acceptLanguage: string | undefined): Lang {
  // "en-GB" counts as "en": only the primary subtags are negotiated
  return acceptLanguage
    ? ((negotiate(acceptLanguage.replace(/-[A-Za-z0-9-]+/g, ''), ['fr', 'en']) as Lang | null) ?? 'fr')
    : 'fr';
}
