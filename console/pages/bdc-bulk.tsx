import { createHash, randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { VNode } from 'preact';
import type { Api } from '../../api/context';
import { REQUEST_DEADLINE_MS, who } from '../../api/context';
import { bdcState } from '../../client/bdc-events';
import { unanswered as wentUnanswered } from '../../client/unavailable';

import { localizeRefusal } from '../../domain/localize';
import { RefusedError, type Refusal } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldValues, sendPage, viewer, type Viewer } from '../http';
import type { RecordView } from '../views/bdc';
import { Page } from '../views/layout';
import { Alert, BdcLink, Csrf, ErrorSummary, Hidden, SendOrBack, type FieldErrors } from '../views/ui';
import { bdcActions, type BdcAction } from './bdc-actions';

export const BULK_PATH = '/console/bdc/lot';
/** how many BDCs one bulk action takes: a list's page holds 50 */
const MAX = 100;

/**
 * The actions an operator repeats over several BDCs with the same form (issue 22, item 7): a
 * cancellation for the same reason (an OG that closed), the same decision on BDCs to examine (retry
 * once the éditeur's bank details are validated). Not the référencement decision (its own batch, by
 * solution) nor a receipt (its amount is each BDC's own).
 */
export const bulkActions = bdcActions.filter((a) => a.slug === 'annulation' || a.slug === 'examen');

interface Checked {
  bdc: RecordView;
  refused: string[];
}

type Outcome = { bdcId: string; refused?: string[]; unanswered?: true };

/** One BDC's event in a batch: the batch's id and a digest of the BDC (an event id names one event, on one BDC). */
const eventIdOf = (batch: string, bdcId: string) =>
  `lot-${batch}-${createHash('sha256').update(bdcId).digest('hex').slice(0, 16)}`;

const frenchOf = (refusals: Refusal[]) => refusals.map((r) => localizeRefusal(r, 'fr').message);

/**
 * A bulk action in three steps, each a page: the BDCs chosen on the list and the action's form; each
 * BDC checked by the action's own rules, said back with how many it reaches and which it leaves out,
 * and why (« Confirmer » or « Retour »); then the action sent to each, a few at once, each with an
 * event id made of the batch's id and the BDC (a confirmation sent twice is answered as the first),
 * and what became of each.
 */
export function bdcBulkPages(app: Api, deps: ConsoleDeps) {
  const { engine } = deps;

  const page = (v: Viewer, action: BdcAction<unknown>, body: VNode) => (
    <Page title={`${action.title} — plusieurs BDC`} user={v.user} csrf={v.csrf} active="/console/bdc">
      {body}
    </Page>
  );

  const chosen = (bdcIds: string[]) => (
    <>
      {bdcIds.map((id) => (
        <Hidden name="choix" value={id} />
      ))}
    </>
  );

  const formStep = (
    v: Viewer,
    action: BdcAction<unknown>,
    bdcIds: string[],
    values: Record<string, string>,
    errors?: FieldErrors,
  ) =>
    page(
      v,
      action,
      <form method="post" action={BULK_PATH} noValidate>
        <Csrf token={v.csrf} />
        <Hidden name="action" value={action.slug} />
        <Hidden name="etape" value="verifier" />
        {chosen(bdcIds)}
        <p>{bdcIds.length} BDC sélectionné(s) :</p>
        <ul>
          {bdcIds.map((id) => (
            <li>
              <BdcLink id={id} />
            </li>
          ))}
        </ul>
        <ErrorSummary errors={errors} />
        {action.fields(values, errors)}
        <SendOrBack send="Vérifier avant d’envoyer" back="/console/bdc" />
      </form>,
    );

  app.post(
    BULK_PATH,
    { config: { sessionRoles: who.operators }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const body = request.body;
      const action = bulkActions.find((a) => a.slug === field(body, 'action'));
      const bdcIds = [...new Set(fieldValues(body, 'choix'))];
      const refusedChoice = (message: string) =>
        sendPage(
          reply,
          <Page title="Action sur plusieurs BDC" user={v.user} csrf={v.csrf} active="/console/bdc">
            <Alert kind="error" title="Rien n’a été envoyé">
              <p>{message}</p>
            </Alert>
            <a class="fr-btn fr-btn--secondary" href="/console/bdc">
              Retour à la liste
            </a>
          </Page>,
          422,
        );
      if (!action) return refusedChoice('Choisissez une action dans la liste.');
      if (!bdcIds.length) return refusedChoice('Cochez au moins un BDC dans la liste.');
      if (bdcIds.length > MAX) return refusedChoice(`Sélectionnez ${MAX} BDC au plus.`);

      const values = Object.fromEntries(
        Object.keys((body as Record<string, unknown>) ?? {})
          .filter((k) => !['_csrf', 'etape', 'action', 'choix', 'lot'].includes(k))
          .map((k) => [k, field(body, k)]),
      );
      const step = field(body, 'etape');
      if (step !== 'verifier' && step !== 'confirmer') return sendPage(reply, formStep(v, action, bdcIds, values));
      const parsed = action.parse(values);
      if ('errors' in parsed) return sendPage(reply, formStep(v, action, bdcIds, values, parsed.errors), 422);
      const caller = callerOfViewer(v);

      const limit = pLimit(4);
      /** the BDC as the record holds it now (one the caller may not see: its refusal) */
      const load = async (id: string): Promise<RecordView | string[]> => {
        try {
          return (await bdcState(engine, caller, id)) as RecordView;
        } catch (err) {
          if (err instanceof RefusedError) return frenchOf(err.refusals);
          throw err;
        }
      };
      if (step === 'verifier') {
        // each BDC checked by the action's own rules: what they refuse is said now, and left out
        const checked: Checked[] = await Promise.all(
          bdcIds.map((id) =>
            limit(async (): Promise<Checked> => {
              const bdc = await load(id);
              if (Array.isArray(bdc)) return { bdc: { bdcId: id } as RecordView, refused: bdc };
              if (!action.offered(bdc))
                return { bdc, refused: ['cette action ne s’applique pas à ce BDC dans son état actuel'] };
              return { bdc, refused: frenchOf((await action.check?.(engine, caller, bdc, parsed.value)) ?? []) };
            }),
          ),
        );
        const ready = checked.filter((c) => !c.refused.length);
        const left = checked.filter((c) => c.refused.length);
        const describe = await Promise.all(ready.map((c) => action.describe(parsed.value, c.bdc, engine)));
        return sendPage(
          reply,
          page(
            v,
            action,
            <form method="post" action={BULK_PATH}>
              <Csrf token={v.csrf} />
              <Hidden name="action" value={action.slug} />
              <Hidden name="etape" value="confirmer" />
              {/* the batch's id chosen now: a confirmation sent twice is the same events, each once */}
              <Hidden name="lot" value={randomUUID()} />
              {Object.entries(values).map(([name, value]) => (
                <Hidden name={name} value={value} />
              ))}
              {chosen(ready.map((c) => c.bdc.bdcId))}
              <Alert
                kind="warning"
                title={`Confirmez-vous « ${action.title} » pour ${ready.length} BDC sur ${checked.length} ?`}
              >
                <ul>
                  {ready.map((c, i) => (
                    <li>
                      <BdcLink id={c.bdc.bdcId} /> : {describe[i]}
                    </li>
                  ))}
                </ul>
                {left.length ? (
                  <>
                    <p>{left.length} BDC ne seront pas concernés :</p>
                    <ul>
                      {left.map((c) => (
                        <li>
                          <BdcLink id={c.bdc.bdcId} /> : {c.refused.join(' ; ')}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </Alert>
              <SendOrBack {...(ready.length ? { send: 'Confirmer' } : {})} back="/console/bdc" />
            </form>,
          ),
        );
      }

      const batch = field(body, 'lot');
      if (!/^[0-9a-f-]{36}$/.test(batch)) return refusedChoice('Recommencez la sélection.');
      // each BDC is a write against the person's allowance, as it would be sent one by one (the request
      // counted one already): past it, nothing is sent and the page says when to try again
      for (let i = 1; i < bdcIds.length; i++) await app.throttles.write(request);
      // sent as confirmed: each BDC answers a confirmation sent twice as it answered the first, and
      // refuses, in its own words, what its state no longer allows. Each send has its own deadline (a
      // request's would run out over a hundred BDCs); one left unanswered (Temporal or a worker busy)
      // is said, to be sent again with the same confirmation
      const done: Outcome[] = await Promise.all(
        bdcIds.map((bdcId) =>
          limit(async (): Promise<Outcome> => {
            try {
              return await engine.client.connection.withDeadline(Date.now() + REQUEST_DEADLINE_MS, async () => {
                const bdc = await load(bdcId);
                if (Array.isArray(bdc)) return { bdcId, refused: bdc };
                await action.run(engine, caller, bdc, parsed.value, eventIdOf(batch, bdcId));
                return { bdcId };
              });
            } catch (err) {
              if (err instanceof RefusedError) return { bdcId, refused: frenchOf(err.refusals) };
              // its update cancelled or past its deadline (a busy machine says « Call cancelled »)
              if (wentUnanswered(err)) return { bdcId, unanswered: true };
              throw err;
            }
          }),
        ),
      );
      const unanswered = done.filter((o) => o.unanswered).map((o) => o.bdcId);
      const sent = done.filter((o) => !o.refused && !o.unanswered);
      const refused = done.filter((o) => o.refused);
      return sendPage(
        reply,
        page(
          v,
          action,
          <>
            <Alert
              kind={refused.length || unanswered.length ? 'warning' : 'success'}
              title={`${sent.length} BDC traité(s), ${refused.length + unanswered.length} non traité(s)`}
            >
              <ul>
                {sent.map((o) => (
                  <li>
                    <BdcLink id={o.bdcId} /> : {action.done}
                  </li>
                ))}
                {refused.map((o) => (
                  <li>
                    <BdcLink id={o.bdcId} /> : {o.refused!.join(' ; ')}
                  </li>
                ))}
              </ul>
            </Alert>
            {unanswered.length ? (
              // the same confirmation for those left: the others answer it as they did, and are not counted again
              <form method="post" action={BULK_PATH} class="fr-mt-3w">
                <Csrf token={v.csrf} />
                <Hidden name="action" value={action.slug} />
                <Hidden name="etape" value="confirmer" />
                <Hidden name="lot" value={batch} />
                {Object.entries(values).map(([name, value]) => (
                  <Hidden name={name} value={value} />
                ))}
                {chosen(unanswered)}
                <Alert kind="info" title={`${unanswered.length} BDC sans réponse à temps`}>
                  <ul>
                    {unanswered.map((id) => (
                      <li>
                        <BdcLink id={id} /> : le moteur n’a pas répondu à temps ; rien n’est perdu, envoyez-le à
                        nouveau.
                      </li>
                    ))}
                  </ul>
                </Alert>
                <button class="fr-btn fr-mt-2w" type="submit">
                  Envoyer à nouveau ces {unanswered.length} BDC
                </button>
              </form>
            ) : null}
            <a class="fr-btn fr-btn--secondary fr-mt-3w" href="/console/bdc">
              Retour à la liste
            </a>
          </>,
        ),
      );
    },
  );
}
