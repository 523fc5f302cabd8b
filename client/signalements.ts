import { createHash } from 'node:crypto';
import { z } from 'zod';
import { say, text } from '../domain/messages';
import { refuse, refusalOf, type Refusal } from '../domain/refusal';
import { centsSchema, finessSchema, idSchema } from '../domain/schemas';
import { Notifications } from '../db/notifications';
import { Signalements, type Signalement } from '../db/signalements';

export type { Signalement } from '../db/signalements';
import type { Caller, EngineContext } from './context';
import type { KnownEditeur } from './editeurs';

/** What an OG reports (seed 004: "un formulaire me permet de le signaler aux pouvoirs publics"). */
// each field says in the catalogue's words what it needs — an OG reads them, not zod's « Entrée invalide »
export const signalementSchema = z.object({
  signalementId: z.string().uuid().describe('made by the form: the same report sent twice is one'),
  ogFiness: z.string({ error: text('signalement_og_required') }).pipe(finessSchema),
  editeurId: z.string({ error: text('signalement_editeur_required') }).pipe(idSchema),
  bdcReference: idSchema.optional().describe("the BDC's order reference, when the quote became one"),
  quoteCents: z
    .number({ error: text('signalement_quote_invalid') })
    .pipe(centsSchema)
    .optional(),
  description: z
    .string({ error: text('signalement_description_short') })
    .trim()
    .min(10, text('signalement_description_short'))
    .max(5_000, text('signalement_description_long')),
  contactEmail: z.email({ error: text('signalement_email_invalid') }).max(254, text('signalement_email_invalid')),
});

/**
 * The éditeur an OG names (it cannot know the id): the one whose name or id is what it typed, ignoring
 * case and accents; else the only one containing it; else a refusal at `path` saying why.
 */
export function editeurNamed(editeurs: KnownEditeur[], typed: string, path: string): string {
  const same = new Intl.Collator('fr', { sensitivity: 'base', usage: 'search' });
  const fold = (t: string) => t.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('fr');
  const labels = (e: KnownEditeur) => [e.editeurId, ...(e.name ? [e.name] : [])];
  const exact = editeurs.filter((e) => labels(e).some((l) => same.compare(l, typed) === 0));
  const found = exact.length ? exact : editeurs.filter((e) => labels(e).some((l) => fold(l).includes(fold(typed))));
  if (found.length === 1) return found[0]!.editeurId;
  throw found.length
    ? refuse(
        'ambiguous_editeur',
        say('signalement_editeur_ambiguous', { name: typed, count: found.length }),
        path,
        typed,
      )
    : refuse('unknown_editeur', say('signalement_editeur_unknown', { name: typed }), path, typed);
}

/**
 * Records an OG's signalement against the éditeur (and its BDC, when the OG names one). It answers
 * nothing: the form is public, so what it recorded (the BDC a reference names, or a record already
 * kept under that id) would tell anyone who has which order, or give back another OG's report.
 */
export async function reportQuote(ctx: EngineContext, raw: z.infer<typeof signalementSchema>): Promise<void> {
  const bdcId = raw.bdcReference
    ? (await ctx.records.byBusinessKey(raw.editeurId, raw.bdcReference))?.bdcId
    : undefined;
  await new Signalements(ctx.sql).record({
    signalementId: raw.signalementId,
    ogFiness: raw.ogFiness,
    editeurId: raw.editeurId,
    ...(bdcId ? { bdcId } : {}),
    ...(raw.quoteCents ? { quoteCents: raw.quoteCents } : {}),
    description: raw.description,
    contactEmail: raw.contactEmail,
  });
}

export const listSignalements = (ctx: EngineContext, filter: { editeurId?: string; bdcId?: string; status?: string }) =>
  new Signalements(ctx.sql).list(filter);

/**
 * An answer checked before a person confirms it: the API's bounds on its text, a signalement known and
 * not answered yet (a second answer would be recorded nowhere and emailed to no one). Answers the
 * signalement, to say to whom the answer goes.
 */
export async function checkSignalementAnswer(
  ctx: EngineContext,
  signalementId: string,
  answer: string,
): Promise<{ refusals: Refusal[]; signalement?: Signalement }> {
  const signalement = await new Signalements(ctx.sql).get(signalementId);
  if (!signalement)
    return {
      refusals: [refusalOf('not_found', say('unknown_signalement', { signalementId }), 'signalementId', signalementId)],
    };
  const refusals: Refusal[] = [];
  if (signalement.status === 'answered')
    refusals.push(
      refusalOf(
        'already_answered',
        say('signalement_already_answered', { answeredBy: signalement.answeredByName ?? signalement.answeredBy ?? '' }),
        'answer',
      ),
    );
  else if (!answer.trim())
    refusals.push(refusalOf('text_required', say('text_required', { label: 'la réponse' }), 'answer'));
  else if (answer.length > 5_000)
    refusals.push(refusalOf('text_too_long', say('text_too_long', { label: 'la réponse', max: 5_000 }), 'answer'));
  return { refusals, signalement };
}

/** An operator answers a signalement: recorded, and emailed to the OG's contact. */
export async function answerSignalement(
  ctx: EngineContext,
  caller: Caller,
  signalementId: string,
  answer: string,
): Promise<Signalement> {
  return ctx.sql.transaction(async (tx) => {
    const result = await new Signalements(tx).answer(signalementId, answer, caller.actor.id);
    if (!result)
      throw refuse('not_found', say('unknown_signalement', { signalementId }), 'signalementId', signalementId);
    const { signalement } = result;
    const outbox = new Notifications(tx);
    // the OG is answered at the address its form gave
    if (result.answered) {
      await outbox.enqueue({
        // the key becomes the email's Message-ID: a digest, so the id is on none of the email's lines
        key: `signalement-answer:${createHash('sha256').update(signalementId).digest('hex').slice(0, 32)}`,
        template: 'signalement_answer',
        to: { party: 'og', id: signalement.ogFiness },
        email: signalement.contactEmail,
        params: { receivedAt: signalement.receivedAt, editeurId: signalement.editeurId, answer },
        ...(signalement.bdcId ? { bdcId: signalement.bdcId } : {}),
      });
    }
    return signalement;
  });
}
