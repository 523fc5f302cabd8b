import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren, VNode } from 'preact';
import type { Role } from '../api/auth';
import type { Caller, EngineContext } from '../client/context';
import { RefusedError, refusalOf, type Refusal } from '../domain/refusal';
import { say } from '../domain/messages';
import { callerOfViewer, field, fieldErrors, sendPage, viewer, type Viewer } from './http';
import { Alert, Csrf, ErrorSummary, Hidden, type FieldErrors } from './views/ui';

/**
 * An action a page offers on what it shows (a BDC, a control): a small form whose fields are named
 * by the paths the engine's refusals use, so that a refusal lands next to its field. It is always
 * confirmed first: the form is checked and shown back in words, then sent with the event id made
 * when the form was drawn (sending it twice changes nothing).
 */
export interface Confirmable<T, S> {
  slug: string;
  title: string;
  roles: readonly Role[];
  /** whether what the page shows awaits this action */
  offered(subject: S): boolean;
  fields(values: Record<string, string>, errors?: FieldErrors): ComponentChildren;
  /** the form's values as the engine service takes them, or the fields' problems */
  parse(values: Record<string, string>): { value: T } | { errors: FieldErrors };
  /** the confirmation, in words (with what it reaches, counted from the engine when it needs to) */
  describe(value: T, subject: S, ctx: EngineContext): string | Promise<string>;
  /** the engine's rules run before the confirmation: what would be refused is said now, next to its field */
  check?(ctx: EngineContext, caller: Caller, subject: S, value: T): Promise<Refusal[]>;
  run(ctx: EngineContext, caller: Caller, subject: S, value: T, eventId: string): Promise<unknown>;
  /** what the page says once it is done */
  done: string;
  /** it decides or moves money: a person takes it only with a second factor (client/second-factor.ts) */
  money?: true;
}

/** Why a person may not take an action now (a money action without a second factor), if it may not. */
export function withheld(action: { money?: true }, v: Viewer): string | undefined {
  return action.money && v.user.person && !v.user.person.secondFactor
    ? 'Cette action décide d’une somme : elle demande un second facteur. Déconnectez-vous, puis reconnectez-vous avec votre code à usage unique.'
    : undefined;
}

/** Where an action's form stands: drawn anew, refused with its fields' reasons, or awaiting confirmation. */
export interface Focus {
  slug: string;
  values: Record<string, string>;
  errors?: FieldErrors;
  confirming?: string;
}

export function ActionSection<S>({
  action,
  url,
  csrf,
  focus,
  cancelHref,
  withheldBecause,
}: {
  action: Confirmable<unknown, S>;
  url: string;
  csrf: string;
  focus?: Focus;
  cancelHref: string;
  /** shown, but not offered: why (withheld()) */
  withheldBecause?: string;
}) {
  const mine = focus?.slug === action.slug ? focus : undefined;
  if (withheldBecause)
    return (
      <section class="fr-card fr-p-3w fr-mb-3w" aria-labelledby={`action-${action.slug}`}>
        <h3 id={`action-${action.slug}`} class="fr-h5">
          {action.title}
        </h3>
        <p>{withheldBecause}</p>
        <button class="fr-btn fr-btn--secondary" type="button" disabled>
          Vérifier avant d’envoyer
        </button>
      </section>
    );
  return (
    <section
      class="fr-card fr-p-3w fr-mb-3w"
      aria-labelledby={`action-${action.slug}`}
      id={`action-${action.slug}-section`}
    >
      <h3 id={`action-${action.slug}`} class="fr-h5">
        {action.title}
      </h3>
      <form method="post" action={url} noValidate>
        <Csrf token={csrf} />
        <Hidden name="eventId" value={mine?.values.eventId ?? randomUUID()} />
        {mine?.confirming ? (
          <>
            {Object.entries(mine.values)
              .filter(([name]) => name !== 'eventId')
              .map(([name, value]) => (
                <Hidden name={name} value={value} />
              ))}
            <Hidden name="etape" value="confirmer" />
            <Alert kind="warning" title="Confirmez-vous ?">
              <p>{mine.confirming}</p>
            </Alert>
            <ul class="fr-btns-group fr-btns-group--inline">
              <li>
                <button class="fr-btn" type="submit">
                  Confirmer
                </button>
              </li>
              <li>
                <a class="fr-btn fr-btn--secondary" href={cancelHref}>
                  Retour
                </a>
              </li>
            </ul>
          </>
        ) : (
          <>
            <Hidden name="etape" value="verifier" />
            {mine?.errors ? <ErrorSummary errors={mine.errors} /> : null}
            {action.fields(mine?.values ?? {}, mine?.errors)}
            <button class="fr-btn fr-btn--secondary" type="submit">
              Vérifier avant d’envoyer
            </button>
          </>
        )}
      </form>
    </section>
  );
}

/** The fields a form sent, but for its CSRF token and its step. */
function valuesOf(body: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.keys((body as Record<string, unknown> | undefined) ?? {})
      .filter((k) => k !== '_csrf' && k !== 'etape')
      .map((k) => [k, field(body, k)])
      .filter(([, v]) => v !== ''),
  );
}

/**
 * Takes an action's form: checked (its problems shown next to its fields), shown back for
 * confirmation, then run; the engine's refusals go next to their fields too; done, back to `doneUrl`.
 */
export async function takeAction<S>(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: EngineContext,
  {
    action,
    subject,
    page,
    doneUrl,
  }: { action: Confirmable<unknown, S>; subject: S; page: (v: Viewer, focus: Focus) => VNode; doneUrl: string },
) {
  const v = viewer(request, reply);
  // a money action sent by a person without a second factor (its form was not offered): refused, in words
  if (withheld(action, v))
    throw new RefusedError([refusalOf('second_factor_required', say('second_factor_required'), 'secondFactor')]);
  const values = valuesOf(request.body);
  const again = (focus: Omit<Focus, 'slug' | 'values'>, status = 200) =>
    sendPage(reply, page(v, { slug: action.slug, values, ...focus }), status);
  const parsed = action.parse(values);
  if ('errors' in parsed) return again({ errors: parsed.errors }, 422);
  if (field(request.body, 'etape') !== 'confirmer') {
    const refused = (await action.check?.(ctx, callerOfViewer(v), subject, parsed.value)) ?? [];
    if (refused.length) return again({ errors: fieldErrors(refused) }, 422);
    return again({ confirming: await action.describe(parsed.value, subject, ctx) });
  }
  try {
    await action.run(ctx, callerOfViewer(v), subject, parsed.value, values.eventId ?? randomUUID());
  } catch (err) {
    if (err instanceof RefusedError) return again({ errors: fieldErrors(err.refusals) }, 422);
    throw err;
  }
  return reply.redirect(doneUrl, 303);
}
