import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { bdcState, onDay, submitVa } from '../../client/bdc-events';
import { documentRefusals, MAX_DOCUMENT_MIB, storeDocument } from '../../client/documents';
import { parseEurosFr, parseNumberFr } from '../../domain/french';
import { say } from '../../domain/messages';
import { RefusedError, refusalOf, type Refusal } from '../../domain/refusal';
import { signatureMethods, vaRefusals, type VaDocument } from '../../domain/va';
import { nowOf } from '../../client/context';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, sendPage, viewer, type Viewer } from '../http';
import { uploadOf } from '../uploads';
import type { RecordView } from '../views/bdc';
import { Page } from '../views/layout';
import { Checkbox, Csrf, ErrorSummary, FieldError, Hidden, Input, Select, type FieldErrors } from '../views/ui';

const signatureFr: Record<(typeof signatureMethods)[number], string> = {
  cpx: 'Carte CPx',
  'pro-sante-connect': 'Pro Santé Connect',
  'rgs-certificate': 'Certificat logiciel RGS',
  'eidas-simple': 'Signature électronique eIDAS simple',
  'eidas-advanced': 'Signature électronique eIDAS avancée',
  'eidas-qualified': 'Signature électronique eIDAS qualifiée',
};
const rates = [
  ['activeRecordsRate', 'Taux de dossiers usagers actifs (%)'],
  ['activeRecordsWithProjectRate', 'Taux de dossiers actifs avec un projet personnalisé (%)'],
  ['activeRecordsWithEventRate', 'Taux de dossiers actifs avec au moins un événement (%)'],
] as const;
/** rows of free TBB.1 indicators offered when the campaign lists none (any identifier TBB.1.<n>) */
const FREE_TBB1_ROWS = 4;

type Values = Record<string, string>;

/** The TBB.1 indicators the form asks for an ESSMS: the campaign's list, or free rows (identifier, value). */
function tbb1Rows(
  bdc: RecordView,
  values: Values,
  i: number,
): { id: string; name: string; idField?: string; rank: number }[] {
  const required = bdc.campaign.tbb1Indicators;
  if (required?.length) return required.map((id, k) => ({ id, name: `va.essms.${i}.tbb1.${id}`, rank: k + 1 }));
  return Array.from({ length: FREE_TBB1_ROWS }, (_, k) => {
    const idField = `tbb1.${i}.${k}.id`;
    const id = values[idField] ?? (k < 2 ? `TBB.1.${k + 1}` : '');
    return { id, name: `tbb1.${i}.${k}.value`, idField, rank: k + 1 };
  });
}

function VaForm({
  v,
  bdc,
  values,
  errors,
  stored,
}: {
  v: Viewer;
  bdc: RecordView;
  values: Values;
  errors?: FieldErrors;
  stored: Record<string, { sha256: string; fileName: string } | undefined>;
}) {
  const url = `/console/bdc/${encodeURIComponent(bdc.bdcId)}/va`;
  const required = bdc.campaign.tbb1Indicators;
  return (
    <Page title={`VA et facture — ${bdc.request.reference}`} user={v.user} csrf={v.csrf} active="/console/bdc">
      <p>
        Pour chaque ESSMS du bon de commande, la VA signée par le représentant légal de l’OG atteste le déploiement du
        DUI et porte les indicateurs du tableau de bord TBB.1 (chacun non nul) et les trois indicateurs ESMS numérique.
        Joignez la VA signée et la facture, en PDF ({MAX_DOCUMENT_MIB} Mio au plus chacun).
      </p>
      <form method="post" action={url} encType="multipart/form-data" noValidate>
        <Csrf token={v.csrf} />
        <Hidden name="eventId" value={values.eventId ?? randomUUID()} />
        <ErrorSummary errors={errors} />
        {bdc.request.essms.map((finess, i) => (
          <fieldset class="fr-fieldset fr-mb-3w" aria-labelledby={`essms-${i}`}>
            <legend class="fr-fieldset__legend" id={`essms-${i}`}>
              ESSMS {finess}
            </legend>
            <Hidden name={`va.essms.${i}.finess`} value={finess} />
            <div class="fr-fieldset__element">
              <Checkbox
                name={`va.essms.${i}.duiDeployed`}
                label="Le DUI est déployé dans cet établissement"
                checked={values[`va.essms.${i}.duiDeployed`] === 'oui'}
                errors={errors}
              />
            </div>
            <FieldError errors={errors} name={`va.essms.${i}.tbb1`} />
            {tbb1Rows(bdc, values, i).map((row) => (
              <div class="fr-fieldset__element fr-grid-row fr-grid-row--gutters">
                {row.idField ? (
                  <div class="fr-col-6">
                    <Input
                      name={row.idField}
                      label={`Indicateur n°${row.rank}`}
                      value={row.id}
                      hint="TBB.1.<n>"
                      errors={errors}
                    />
                  </div>
                ) : null}
                <div class="fr-col-6">
                  <Input
                    name={row.name}
                    label={row.idField ? `Valeur de l’indicateur n°${row.rank}` : `Indicateur ${row.id}`}
                    value={values[row.name]}
                    inputMode="decimal"
                    errors={
                      errors
                        ? {
                            ...errors,
                            [row.name]: [
                              ...(errors[row.name] ?? []),
                              ...(errors[`va.essms.${i}.tbb1.${row.id}`] ?? []),
                            ],
                          }
                        : undefined
                    }
                    required={Boolean(required)}
                  />
                </div>
              </div>
            ))}
            {rates.map(([key, label]) => (
              <div class="fr-fieldset__element">
                <Input
                  name={`va.essms.${i}.esmsNumerique.${key}`}
                  label={label}
                  value={values[`va.essms.${i}.esmsNumerique.${key}`]}
                  inputMode="decimal"
                  errors={errors}
                  required
                />
              </div>
            ))}
            <FieldError errors={errors} name={`va.essms.${i}.finess`} />
          </fieldset>
        ))}
        <FieldError errors={errors} name="va.essms" />

        <fieldset class="fr-fieldset fr-mb-3w" aria-labelledby="signature">
          <legend class="fr-fieldset__legend" id="signature">
            Signature de la VA
          </legend>
          <div class="fr-fieldset__element">
            <Select
              name="va.signature"
              label="Mode de signature"
              value={values['va.signature']}
              errors={errors}
              required
              options={[['', 'Choisir'], ...signatureMethods.map((m): [string, string] => [m, signatureFr[m]])]}
            />
          </div>
          <div class="fr-fieldset__element">
            <Input
              name="va.signedAt"
              label="Date de signature"
              type="date"
              value={values['va.signedAt']}
              errors={errors}
              required
            />
          </div>
        </fieldset>

        <fieldset class="fr-fieldset fr-mb-3w" aria-labelledby="facture">
          <legend class="fr-fieldset__legend" id="facture">
            Facture
          </legend>
          <div class="fr-fieldset__element">
            <Input
              name="invoice.number"
              label="Numéro de facture"
              value={values['invoice.number']}
              errors={errors}
              required
            />
          </div>
          <div class="fr-fieldset__element">
            <Input
              name="invoice.amountCents"
              label="Montant TTC (€)"
              value={values['invoice.amountCents']}
              inputMode="decimal"
              hint="Par exemple 5 840,00"
              errors={errors}
              required
            />
          </div>
          <div class="fr-fieldset__element">
            <Input
              name="invoice.ogFiness"
              label="OG facturé (FINESS juridique)"
              value={values['invoice.ogFiness'] ?? bdc.request.ogFiness}
              inputMode="numeric"
              errors={errors}
              required
            />
          </div>
          <div class="fr-fieldset__element">
            <Input
              name="invoice.issuedOn"
              label="Date de la facture"
              type="date"
              value={values['invoice.issuedOn']}
              errors={errors}
              required
            />
          </div>
        </fieldset>

        <fieldset class="fr-fieldset fr-mb-3w" aria-labelledby="pieces">
          <legend class="fr-fieldset__legend" id="pieces">
            Pièces jointes (PDF)
          </legend>
          {(
            [
              ['signedVa', 'VA signée'],
              ['invoice', 'Facture'],
            ] as const
          ).map(([key, label]) => (
            <div class="fr-fieldset__element">
              {stored[key] ? (
                <p class="fr-text--sm">
                  {label} déjà déposée : {stored[key]!.fileName} (SHA-256{' '}
                  <span class="sons-hash">{stored[key]!.sha256}</span>). Vous pouvez en choisir une autre.
                  <Hidden name={`stored.${key}`} value={`${stored[key]!.sha256}:${stored[key]!.fileName}`} />
                </p>
              ) : null}
              <Input
                name={`documents.${key}`}
                label={`${label} (PDF)`}
                type="file"
                accept="application/pdf,.pdf"
                errors={errors}
                required={!stored[key]}
              />
            </div>
          ))}
        </fieldset>
        <button class="fr-btn" type="submit">
          Envoyer la VA et la facture
        </button>
      </form>
    </Page>
  );
}

/** The form's fields as the VA the engine checks, and the problems of form found on the way (numbers, amounts). */
function vaOf(bdc: RecordView, values: Values): { va: VaDocument; problems: Refusal[] } {
  const problems: Refusal[] = [];
  const numberAt = (name: string, what: string): number => {
    const raw = values[name] ?? '';
    const n = parseNumberFr(raw);
    if (n === undefined) problems.push(refusalOf('invalid_type', say('number_expected', { what }), name, raw));
    // a number not read is said once, here: the VA's rules see a stand-in they accept
    return n ?? 1;
  };
  const essms = bdc.request.essms.map((finess, i) => {
    const tbb1: Record<string, number> = {};
    for (const row of tbb1Rows(bdc, values, i)) {
      if (row.idField && !row.id && !values[row.name]) continue;
      tbb1[row.id] = numberAt(row.name, `TBB.1 ${row.id}`);
    }
    return {
      finess,
      duiDeployed: values[`va.essms.${i}.duiDeployed`] === 'oui',
      tbb1,
      esmsNumerique: Object.fromEntries(
        rates.map(([key, label]) => [key, numberAt(`va.essms.${i}.esmsNumerique.${key}`, label)]),
      ) as VaDocument['va']['essms'][number]['esmsNumerique'],
    };
  });
  const cents = parseEurosFr(values['invoice.amountCents'] ?? '');
  if (!cents)
    problems.push(
      refusalOf('invalid_value', say('euros_expected'), 'invoice.amountCents', values['invoice.amountCents']),
    );
  const day = (name: string) => (/^\d{4}-\d{2}-\d{2}$/.test(values[name] ?? '') ? values[name]! : (values[name] ?? ''));
  return {
    va: {
      va: {
        signedAt: /^\d{4}-\d{2}-\d{2}$/.test(values['va.signedAt'] ?? '')
          ? onDay(values['va.signedAt']!)
          : (values['va.signedAt'] ?? ''),
        signature: values['va.signature'] as VaDocument['va']['signature'],
        essms,
      },
      invoice: {
        number: values['invoice.number'] ?? '',
        ogFiness: values['invoice.ogFiness'] ?? '',
        amountCents: cents ?? 0,
        issuedOn: day('invoice.issuedOn'),
      },
    },
    problems,
  };
}

/** The éditeur's VA form, built from its campaign's requirements, with the signed VA's and the invoice's PDFs. */
export function vaPages(app: Api, deps: ConsoleDeps) {
  const { engine } = deps;
  const recordOf = async (v: Viewer, bdcId: string) => (await bdcState(engine, callerOfViewer(v), bdcId)) as RecordView;

  app.get(
    '/console/bdc/:bdcId/va',
    { config: { sessionRoles: who.editeurs }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      const bdc = await recordOf(v, (request.params as { bdcId: string }).bdcId);
      return sendPage(reply, <VaForm v={v} bdc={bdc} values={{}} stored={{}} />);
    },
  );

  app.post(
    '/console/bdc/:bdcId/va',
    {
      // the PDFs: MAX_DOCUMENT_MIB each, refused as they arrive past it
      config: { sessionRoles: who.editeurs, uploads: { maxFileBytes: MAX_DOCUMENT_MIB * 2 ** 20 } },
      schema: { hide: true },
      preHandler: app.csrfProtection,
    },
    async (request, reply) => {
      const v = viewer(request, reply);
      const bdc = await recordOf(v, (request.params as { bdcId: string }).bdcId);
      const body = request.body as Record<string, unknown>;
      const values: Values = Object.fromEntries(
        Object.keys(body)
          .filter((k) => !k.startsWith('documents.') && k !== '_csrf')
          .map((k) => [k, field(body, k)]),
      );
      const caller = { ...callerOfViewer(v), editeurId: v.user.editeurId! };

      // the files first: each stored by its hash as soon as it is valid, so a refused VA need not send them again
      const stored: Record<string, { sha256: string; fileName: string } | undefined> = {};
      const problems: Refusal[] = [];
      for (const key of ['signedVa', 'invoice'] as const) {
        const upload = uploadOf(body, `documents.${key}`);
        const kept = values[`stored.${key}`]?.match(/^([0-9a-f]{64}):(.*)$/);
        if (upload && upload.size > MAX_DOCUMENT_MIB * 2 ** 20)
          problems.push(
            refusalOf(
              'document_too_large',
              say('document_too_large', { maxMiB: MAX_DOCUMENT_MIB }),
              `documents.${key}`,
            ),
          );
        else if (upload) {
          const content = await fs.promises.readFile(upload.path);
          const refused = documentRefusals(content, `documents.${key}`);
          if (refused.length) problems.push(...refused);
          else
            stored[key] = {
              sha256: await storeDocument(engine, caller, { content, fileName: upload.fileName }, `documents.${key}`),
              fileName: upload.fileName,
            };
        } else if (kept) stored[key] = { sha256: kept[1]!, fileName: kept[2]! };
        else problems.push(...documentRefusals(undefined, `documents.${key}`));
      }
      const { va, problems: formProblems } = vaOf(bdc, values);
      const again = (refusals: Refusal[]) =>
        sendPage(reply, <VaForm v={v} bdc={bdc} values={values} errors={fieldErrors(refusals)} stored={stored} />, 422);
      if (formProblems.length || problems.length) {
        // nothing is sent: the rules of the VA (the very function the BDC's workflow runs) say what else is wrong, so every reason shows at once
        const rules = vaRefusals(bdc, {
          ...va,
          eventId: 'console-check',
          actor: callerOfViewer(v).actor,
          receivedAt: new Date(await nowOf(engine)).toISOString(),
        });
        return again([
          ...formProblems,
          ...problems,
          ...rules.filter((r) => !formProblems.some((f) => f.path === r.path)),
        ]);
      }
      try {
        // the engine checks everything, and answers every reason at once
        await submitVa(engine, caller, bdc.bdcId, {
          ...va,
          documents: { signedVa: stored.signedVa!.sha256, invoice: stored.invoice!.sha256 },
          eventId: values.eventId ?? randomUUID(),
        });
      } catch (err) {
        if (err instanceof RefusedError) return again(err.refusals);
        throw err;
      }
      return reply.redirect(`/console/bdc/${encodeURIComponent(bdc.bdcId)}?fait=va`, 303);
    },
  );
}
