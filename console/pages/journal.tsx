import { Readable } from 'node:stream';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import {
  exportJournal,
  journalStatus,
  latestCheckpoints,
  latestVerifications,
  requestCheckpoint,
  requestVerification,
  type Verification,
} from '../../client/journal';
import { actorOf } from '../../api/auth';
import type { ConsoleDeps } from '../context';
import { field, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { Alert, Csrf, Hidden, Input, Table, When } from '../views/ui';

const statusWord: Record<Verification['status'], string> = {
  requested: 'demandée',
  running: 'en cours',
  ok: 'conforme',
  mismatch: 'ÉCART',
  failed: 'échouée',
};

/** The two things an admin asks of the worker from this page, each confirmed first. */
const asks = {
  verification: {
    title: 'Vérifier le journal maintenant',
    confirm:
      'Le moteur va relire tout le journal : la chaîne des empreintes, chaque point de contrôle signé, et chaque ligne du registre et du grand livre face à son écriture. Le résultat s’affiche sur cette page.',
    run: (deps: ConsoleDeps, by: string) => requestVerification(deps.engine, by),
    done: 'Vérification demandée : elle apparaît ci-dessous dès que le moteur l’a faite.',
  },
  'point-de-controle': {
    title: 'Signer un point de contrôle maintenant',
    confirm:
      'Le moteur va signer l’état actuel du journal (numéro et empreinte de la dernière écriture) avec la clé du journal et l’envoyer aux destinataires configurés.',
    run: (deps: ConsoleDeps, by: string) => requestCheckpoint(deps.engine, by),
    done: 'Point de contrôle demandé : il apparaît ci-dessous dès que le moteur l’a signé.',
  },
} as const;
type Ask = keyof typeof asks;

/**
 * The tamper-evident journal, for admins: where it stands (entries, last checkpoint, last
 * verification and its first mismatch), the latest verifications and checkpoints, the exports an
 * auditor verifies, and two confirmed actions: verify now, sign a checkpoint now.
 */
export function journalPages(app: Api, deps: ConsoleDeps) {
  const page = async (v: Viewer, notice?: { ask: Ask; confirming?: boolean; done?: boolean }) => {
    const [status, verifications, checkpoints] = await Promise.all([
      journalStatus(deps.engine),
      latestVerifications(deps.engine, 10),
      latestCheckpoints(deps.engine, 10),
    ]);
    const last = status.lastVerification;
    return (
      <Page title="Journal infalsifiable" user={v.user} csrf={v.csrf} active="/console/journal">
        <p>
          Chaque fait du registre et du grand livre (ligne d’audit, évènement refusé, ordre de paiement, demande,
          encaissement, abandon de créance, réservation d’ESSMS, notification, tirage, référencement) est inscrit, dans
          la transaction qui l’écrit, dans une chaîne d’empreintes SHA-256. Des points de contrôle signés (Ed25519) sont
          envoyés aux auditeurs : une réécriture du passé les contredit.
        </p>
        {notice?.done ? (
          <Alert kind="success" title="Demande enregistrée">
            <p>{asks[notice.ask].done}</p>
          </Alert>
        ) : null}
        {last?.status === 'mismatch' ? (
          <Alert kind="error" title={`Écart détecté à l’écriture n° ${last.firstMismatch?.seq ?? '—'}`}>
            <p>
              Vérification n° {last.id}, terminée le <When at={last.finishedAt} /> : {last.mismatches} écart(s). Premier
              écart : {last.firstMismatch?.what}
            </p>
          </Alert>
        ) : status.lastSuccessfulVerification ? (
          <Alert
            kind="info"
            title={`Journal vérifié jusqu’à l’écriture n° ${status.lastSuccessfulVerification.verifiedSeq}`}
          >
            <p>
              Dernière vérification conforme le <When at={status.lastSuccessfulVerification.finishedAt} />.
            </p>
          </Alert>
        ) : null}
        <dl class="sons-dl">
          <dt>Journal</dt>
          <dd>
            <code>{status.journalId}</code>
          </dd>
          <dt>Écritures</dt>
          <dd>{status.head.seq}</dd>
          <dt>Empreinte de la dernière écriture</dt>
          <dd>
            <code>{status.head.hash}</code>
          </dd>
          <dt>Clés publiques (Ed25519)</dt>
          <dd>
            {Object.entries(status.keys).map(([id, key]) => (
              <span>
                {id} : <code>{key}</code>{' '}
              </span>
            ))}
          </dd>
        </dl>
        {(Object.keys(asks) as Ask[]).map((ask) => (
          <section class="fr-card fr-p-3w fr-mb-3w" aria-labelledby={`ask-${ask}`}>
            <h2 id={`ask-${ask}`} class="fr-h5">
              {asks[ask].title}
            </h2>
            <form method="post" action={`/console/journal/${ask}`}>
              <Csrf token={v.csrf} />
              {notice?.ask === ask && notice.confirming ? (
                <>
                  <Hidden name="etape" value="confirmer" />
                  <Alert kind="warning" title="Confirmez-vous ?">
                    <p>{asks[ask].confirm}</p>
                  </Alert>
                  <ul class="fr-btns-group fr-btns-group--inline">
                    <li>
                      <button class="fr-btn" type="submit">
                        Confirmer
                      </button>
                    </li>
                    <li>
                      <a class="fr-btn fr-btn--secondary" href="/console/journal">
                        Annuler
                      </a>
                    </li>
                  </ul>
                </>
              ) : (
                <button class="fr-btn fr-btn--secondary" type="submit">
                  {asks[ask].title}
                </button>
              )}
            </form>
          </section>
        ))}
        <h2 class="fr-h4">Vérifications</h2>
        <Table
          caption="Dernières vérifications"
          head={['N°', 'Demandée par', 'Terminée', 'Résultat', 'Écritures', 'Premier écart']}
          rows={verifications.map((x) => [
            String(x.id),
            x.requestedBy,
            <When at={x.finishedAt} />,
            statusWord[x.status],
            x.verifiedSeq === undefined ? '—' : String(x.verifiedSeq),
            x.firstMismatch ? `écriture n° ${x.firstMismatch.seq ?? '—'} : ${x.firstMismatch.what}` : '—',
          ])}
        />
        <h2 class="fr-h4">Points de contrôle signés</h2>
        <Table
          caption="Derniers points de contrôle"
          head={['N°', 'Écriture', 'Empreinte', 'Signé le', 'Clé', 'Demandé par']}
          rows={checkpoints.map((c) => [
            String(c.n),
            String(c.seq),
            <code>{c.hash.slice(0, 16)}…</code>,
            <When at={c.signedAt} />,
            c.keyId,
            c.requestedBy,
          ])}
        />
        <h2 class="fr-h4">Exports pour un auditeur</h2>
        <p>
          Un export se vérifie hors de l’ASP avec le vérificateur autonome du projet (
          <code>scripts/journal-verify.mjs</code>, Node seul) et la clé publique du journal remise à l’auditeur.
        </p>
        <ul>
          <li>
            <a class="fr-link fr-link--download" href="/console/journal/export.jsonl" download>
              Tout le journal
              <span class="fr-link__detail">JSON Lines — les écritures et les points de contrôle signés</span>
            </a>
          </li>
          <li>
            <a class="fr-link fr-link--download" href="/console/journal/cles.json" download>
              Clés publiques du journal
              <span class="fr-link__detail">
                JSON — le fichier <code>--keys</code> du vérificateur
              </span>
            </a>
          </li>
        </ul>
        <form method="get" action="/console/journal/export.jsonl" class="fr-mb-3w">
          <Input name="bdcId" label="Les écritures d’un bon de commande (identifiant du BDC)" value="" />
          <button class="fr-btn fr-btn--secondary" type="submit">
            Exporter les écritures de ce BDC et leurs preuves
          </button>
        </form>
      </Page>
    );
  };

  app.get(
    '/console/journal',
    { config: { sessionRoles: who.admins }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      const q = request.query as { fait?: string };
      const ask = q.fait && q.fait in asks ? (q.fait as Ask) : undefined;
      return sendPage(reply, await page(v, ask ? { ask, done: true } : undefined));
    },
  );

  for (const ask of Object.keys(asks) as Ask[])
    app.post(
      `/console/journal/${ask}`,
      { config: { sessionRoles: who.admins }, schema: { hide: true }, preHandler: app.csrfProtection },
      async (request, reply) => {
        const v = viewer(request, reply);
        if (field(request.body, 'etape') !== 'confirmer')
          return sendPage(reply, await page(v, { ask, confirming: true }));
        await asks[ask].run(deps, actorOf(v.user).id);
        return reply.redirect(`/console/journal?fait=${ask}`, 303);
      },
    );

  app.get(
    '/console/journal/export.jsonl',
    { config: { sessionRoles: who.admins }, schema: { hide: true } },
    async (request, reply) => {
      const bdcId = String((request.query as { bdcId?: string }).bdcId ?? '').trim();
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="sons-journal${bdcId ? '-bdc' : ''}.jsonl"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(exportJournal(deps.engine, bdcId ? { bdcId } : {})));
    },
  );

  app.get(
    '/console/journal/cles.json',
    { config: { sessionRoles: who.admins }, schema: { hide: true } },
    async (_request, reply) => {
      const { journalId, keys } = await journalStatus(deps.engine);
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="sons-journal-cles.json"')
        .send({ journal: journalId, keys });
    },
  );
}
