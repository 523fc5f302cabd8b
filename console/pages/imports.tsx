import fs from 'node:fs';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { importJob, recentImports, startBdcImport, startFinessImport } from '../../client/imports';
import { importColumns } from '../../domain/bdc-import';
import { civilDateFr } from '../../domain/french';
import { say } from '../../domain/messages';
import { RefusedError, refusalOf } from '../../domain/refusal';
import type { ImportJob } from '../../client/imports';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, fieldErrors, sendPage, viewer, type Viewer } from '../http';
import { MAX_FILE_BYTES, uploadOf } from '../uploads';
import { Page } from '../views/layout';
import { Alert, Csrf, ErrorSummary, Input, Table, When, type FieldErrors } from '../views/ui';

/** The mark French spreadsheets need to read UTF-8 (the database does not keep a text's leading mark). */
const withBom = (csv: string) => (csv.startsWith('\uFEFF') ? csv : `\uFEFF${csv}`);

/** A bulk registration file is read whole: it holds rows of a few dozen characters, not an extraction. */
const MAX_BULK_BYTES = MAX_FILE_BYTES;
/**
 * A FINESS extraction is the public file, about 100,000 establishments: far past the console's 10 MiB
 * for other files; bounded as the API bounds the same file (its uploads are an operator's, one or two at once).
 */
const MAX_EXTRACTION_BYTES = 512 * 2 ** 20;

function ImportsPage({ v, jobs, errors }: { v: Viewer; jobs: ImportJob[]; errors?: FieldErrors }) {
  return (
    <Page title="Imports" user={v.user} csrf={v.csrf} active="/console/imports">
      <ErrorSummary errors={errors} />
      <div class="fr-grid-row fr-grid-row--gutters">
        <section class="fr-col-12 fr-col-lg-6" aria-labelledby="finess">
          <h2 id="finess" class="fr-h4">
            Extraction FINESS
          </h2>
          <p class="fr-text--sm">
            Le fichier public « FINESS Extraction du Fichier des établissements » (séparateur « ; », Latin-1 ou UTF-8).
            Il devient une nouvelle version du référentiel ; les BDC déjà enregistrés gardent la leur.
          </p>
          <form method="post" action="/console/imports/finess" encType="multipart/form-data">
            <Csrf token={v.csrf} />
            <Input
              name="extraction"
              label="Fichier d’extraction"
              type="file"
              accept=".csv,text/csv,text/plain"
              errors={errors}
              required
            />
            <button class="fr-btn" type="submit">
              Importer l’extraction
            </button>
          </form>
        </section>
        <section class="fr-col-12 fr-col-lg-6" aria-labelledby="bdcs">
          <h2 id="bdcs" class="fr-h4">
            Enregistrement de BDC en masse
          </h2>
          <p class="fr-text--sm">
            Un fichier CSV aux colonnes <code>{importColumns.join(';')}</code> (ESSMS séparés par « | »). Une ligne déjà
            enregistrée est reconnue et comptée à part ; les lignes refusées se téléchargent avec leurs motifs.
          </p>
          <form method="post" action="/console/imports/bdc" encType="multipart/form-data">
            <Csrf token={v.csrf} />
            <Input
              name="bdcs"
              label="Fichier des BDC"
              type="file"
              accept=".csv,text/csv,text/plain"
              errors={errors}
              required
            />
            <button class="fr-btn" type="submit">
              Enregistrer les BDC
            </button>
          </form>
        </section>
      </div>
      <h2 class="fr-h4 fr-mt-4w">Derniers imports</h2>
      <p class="fr-text--sm">Tous les imports, lancés ici, par l’API ou par la commande « sons ».</p>
      <Table
        id="imports"
        caption="Derniers imports"
        head={['Import', 'Fichier', 'Lancé le', 'Par', 'État']}
        rows={jobs.map((j) => [
          <a href={`/console/imports/${j.importId}`}>{j.kind === 'finess' ? 'Extraction FINESS' : 'BDC en masse'}</a>,
          j.fileName,
          <When at={j.startedAt} />,
          j.startedBy,
          j.finished ? (j.failure ? 'en échec' : 'terminé') : 'en cours',
        ])}
      />
    </Page>
  );
}

function ProgressPage({ v, job }: { v: Viewer; job: ImportJob }) {
  const o = (job.outcome ?? {}) as Record<string, unknown>;
  // an import made before its refused lines were kept has none: its counts stand alone
  const refusedLines = (o.refusedLines ?? []) as { line: number; reason: string }[];
  const percent = job.total ? Math.floor((100 * job.done) / job.total) : undefined;
  return (
    <Page
      title={job.kind === 'finess' ? 'Import d’une extraction FINESS' : 'Enregistrement de BDC en masse'}
      user={v.user}
      csrf={v.csrf}
      active="/console/imports"
      refresh={job.finished ? undefined : 2}
    >
      <p>Fichier : {job.fileName}</p>
      <p>
        <progress max={100} value={job.finished ? 100 : (percent ?? 0)} aria-label="Avancement">
          {percent ?? 0} %
        </progress>
      </p>
      <p role="status" id="avancement">
        {job.finished ? (job.failure ? 'Import en échec' : 'Import terminé') : 'Import en cours'}
        {job.kind === 'bdcs' && job.total !== undefined
          ? ` : ${job.done} ligne(s) traitée(s) sur ${job.total}`
          : percent !== undefined && !job.finished
            ? ` : ${percent} %`
            : ''}
      </p>
      {job.failure ? (
        <Alert kind="error" title="L’import n’a pas abouti">
          <p>{job.failure}</p>
        </Alert>
      ) : null}
      {job.finished && job.kind === 'bdcs' ? (
        <Table
          caption="Résultat"
          head={['Enregistrés', 'Déjà enregistrés', 'Refusés']}
          rows={[[String(o.registered ?? 0), String(o.skipped ?? 0), String(o.refused ?? 0)]]}
        />
      ) : null}
      {job.finished && job.kind === 'finess' && !job.failure ? (
        <Table
          caption="Résultat"
          head={['Extraction du', 'Lignes lues', 'Retenues', 'Écartées']}
          rows={[[civilDateFr(String(o.extractionDate)), String(o.read), String(o.kept), String(o.rejected)]]}
        />
      ) : null}
      {job.finished && job.kind === 'finess' && refusedLines.length ? (
        <Table
          id="lignes-ecartees"
          caption={
            Number(o.rejected) > refusedLines.length
              ? `Lignes écartées (les ${refusedLines.length} premières ; toutes dans le fichier à télécharger)`
              : 'Lignes écartées'
          }
          head={['Ligne du fichier', 'Motif']}
          rows={refusedLines.map((r) => [String(r.line), r.reason])}
        />
      ) : null}
      {job.refusedCsv ? (
        <p>
          <a class="fr-btn fr-btn--secondary" href={`/console/imports/${job.importId}/lignes-refusees.csv`}>
            Télécharger les lignes refusées (tableur)
          </a>
        </p>
      ) : null}
      <p>
        <a class="fr-link" href="/console/imports">
          Revenir aux imports
        </a>
      </p>
    </Page>
  );
}

/** FINESS extractions and bulk registrations, uploaded, run in the background, followed to their end. */
export function importPages(app: Api, { engine }: ConsoleDeps) {
  app.get(
    '/console/imports',
    { config: { sessionRoles: who.operators }, schema: { hide: true } },
    async (request, reply) =>
      sendPage(reply, <ImportsPage v={viewer(request, reply)} jobs={await recentImports(engine)} />),
  );

  app.post(
    '/console/imports/finess',
    {
      config: { sessionRoles: who.operators, uploads: { maxFileBytes: MAX_EXTRACTION_BYTES } },
      schema: { hide: true },
      preHandler: app.csrfProtection,
    },
    async (request, reply) => {
      const v = viewer(request, reply);
      const upload = uploadOf(request.body, 'extraction');
      if (!upload)
        return sendPage(
          reply,
          <ImportsPage
            v={v}
            jobs={await recentImports(engine)}
            errors={fieldErrors([refusalOf('file_missing', say('file_missing'), 'extraction')])}
          />,
          422,
        );
      const importId = await startFinessImport(engine, callerOfViewer(v), upload);
      return reply.redirect(`/console/imports/${importId}`, 303);
    },
  );

  app.post(
    '/console/imports/bdc',
    {
      config: { sessionRoles: who.operators, uploads: { maxFileBytes: MAX_BULK_BYTES } },
      schema: { hide: true },
      preHandler: app.csrfProtection,
    },
    async (request, reply) => {
      const v = viewer(request, reply);
      const upload = uploadOf(request.body, 'bdcs');
      const refused = (errors: FieldErrors) =>
        recentImports(engine).then((jobs) => sendPage(reply, <ImportsPage v={v} jobs={jobs} errors={errors} />, 422));
      if (!upload) return refused(fieldErrors([refusalOf('file_missing', say('file_missing'), 'bdcs')]));
      if (upload.size > MAX_BULK_BYTES)
        return refused(
          fieldErrors([
            refusalOf('file_too_large', say('document_too_large', { maxMiB: MAX_BULK_BYTES / 2 ** 20 }), 'bdcs'),
          ]),
        );
      try {
        const importId = await startBdcImport(engine, callerOfViewer(v), {
          text: await fs.promises.readFile(upload.path, 'utf8'),
          fileName: upload.fileName,
        });
        return reply.redirect(`/console/imports/${importId}`, 303);
      } catch (err) {
        if (err instanceof RefusedError) return refused(fieldErrors(err.refusals.map((r) => ({ ...r, path: 'bdcs' }))));
        throw err;
      }
    },
  );

  app.get(
    '/console/imports/:importId',
    { config: { sessionRoles: who.operators }, schema: { hide: true } },
    async (request, reply) =>
      sendPage(
        reply,
        <ProgressPage
          v={viewer(request, reply)}
          job={await importJob(engine, (request.params as { importId: string }).importId)}
        />,
      ),
  );

  app.get(
    '/console/imports/:importId/lignes-refusees.csv',
    { config: { sessionRoles: who.operators }, schema: { hide: true } },
    async (request, reply) => {
      const job = await importJob(engine, (request.params as { importId: string }).importId);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="lignes-refusees-${job.importId}.csv"`)
        .send(withBom(job.refusedCsv ?? ''));
    },
  );
}
