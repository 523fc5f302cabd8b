/**
 * The console's forms as an OpenAPI document, for the drill's schemathesis run: every POST route of
 * the console with the fields its page draws (urlencoded, or multipart with its files), so that the
 * fuzzer sends what a browser could — and what it would not — with a signed-in session's cookie and
 * the CSRF token of its forms, and the sign-in's return from the provider. Sign-out is left out: it
 * would end the session the run is made with.
 */

type Schema = Record<string, unknown>;

const text: Schema = { type: 'string', maxLength: 300 };
const day: Schema = { type: 'string', format: 'date' };
const binary: Schema = { type: 'string', format: 'binary' };

export interface ConsoleTargets {
  /** the CSRF token of the session the run is made with */
  csrf: string;
  /** BDCs that exist (the fuzzer also tries one that does not) */
  bdcIds: string[];
  campaignIds: string[];
  solutionIds: string[];
}

export function consoleOpenApi(t: ConsoleTargets): Record<string, unknown> {
  const csrf: Schema = { type: 'string', enum: [t.csrf] };
  const body = (type: string, properties: Record<string, Schema>, required: string[] = []) => ({
    required: true,
    content: {
      [type]: {
        // the CSRF token first: a multipart form carries it before its files, as the console's pages do
        schema: { type: 'object', properties: { _csrf: csrf, ...properties }, required: ['_csrf', ...required] },
      },
    },
  });
  const form = (properties: Record<string, Schema>, required?: string[]) =>
    body('application/x-www-form-urlencoded', properties, required);
  const multipart = (properties: Record<string, Schema>, required?: string[]) =>
    body('multipart/form-data', properties, required);
  const param = (name: string, values: string[]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', enum: values },
  });
  const post = (summary: string, requestBody: unknown, parameters: unknown[] = []) => ({
    post: { summary, parameters, requestBody, responses: { default: { description: 'a page of the console' } } },
  });
  const bdcIds = [...t.bdcIds, 'bdc:editeur-demo:not-registered'];
  const step = { type: 'string', enum: ['confirmer', 'verifier', 'simuler', 'appliquer', ''] };

  return {
    openapi: '3.0.3',
    info: { title: 'sons-engine console (forms)', version: '1' },
    paths: {
      // people sign in at the provider: what comes back from it (a code, a state) is anyone's to forge
      '/console/connexion/retour': {
        get: {
          summary: 'The return from the OpenID provider',
          parameters: ['code', 'state', 'iss', 'error'].map((name) => ({ name, in: 'query', schema: text })),
          responses: { default: { description: 'a page of the console' } },
        },
      },
      '/console/bdc/{bdcId}/{action}': post(
        "An action on a BDC's page, checked then confirmed",
        form({
          eventId: text,
          etape: step,
          decision: text,
          decidedOn: day,
          reason: text,
          amountCents: text,
          receivedAt: day,
          filedAt: day,
        }),
        [
          param('bdcId', bdcIds),
          param('action', ['referencement', 'annulation', 'remboursement', 'examen', 'recouvrement', 'dossier', 'x']),
        ],
      ),
      '/console/bdc/{bdcId}/va': post(
        'The VA and the invoice with their PDFs',
        multipart({
          eventId: text,
          'va.signature': text,
          'va.signedAt': day,
          'va.essms.0.finess': text,
          'va.essms.0.duiDeployed': { type: 'string', enum: ['oui', 'non', ''] },
          'tbb1.0.0.id': text,
          'tbb1.0.0.value': text,
          'va.essms.0.esmsNumerique.activeRecordsRate': text,
          'invoice.number': text,
          'invoice.amountCents': text,
          'invoice.ogFiness': text,
          'invoice.issuedOn': day,
          'stored.signedVa': text,
          'documents.signedVa': binary,
          'documents.invoice': binary,
        }),
        [param('bdcId', bdcIds)],
      ),
      '/console/campagnes/{campaignId}/calendrier': post(
        "A campaign's calendar amended: the dry run, then the batch",
        form({ eventId: text, etape: step, orderDeadline: day, closingDate: day, reason: text, confirmed: text }),
        [param('campaignId', [...t.campaignIds, 'no-such-campaign'])],
      ),
      '/console/solutions/{solutionId}/decision': post(
        "The ANS's decision for a whole solution",
        form({ eventId: text, etape: step, editeur: text, decision: text, decidedOn: day }),
        [param('solutionId', [...t.solutionIds, 'no-such-solution'])],
      ),
      '/console/bdc/lot': post(
        'An action over the BDCs ticked on the list: the form, the check, then the confirmation',
        form({
          action: { type: 'string', enum: ['annulation', 'examen', 'paiement', ''] },
          etape: step,
          lot: text,
          choix: { type: 'array', items: { type: 'string', enum: bdcIds } },
          reason: text,
          decision: text,
        }),
      ),
      '/console/solutions/{solutionId}/nom': post('An éditeur names one of its solutions', form({ name: text }), [
        param('solutionId', [...t.solutionIds, 'no-such-solution']),
      ]),
      '/console/controles/tirages': post(
        'A control sample previewed (its counts), then drawn',
        form({
          eventId: text,
          etape: step,
          endedBefore: text,
          seed: text,
          rate: text,
          size: text,
          assignedTo: text,
          documents: text,
          documentsDueOn: day,
        }),
      ),
      '/console/controles/{controlId}/{action}': post(
        "An action on a control's page",
        form({
          eventId: text,
          etape: step,
          receivedAt: day,
          outcome: text,
          findings: text,
          reasons: text,
          recoveryCents: text,
          amountCents: text,
          decision: text,
          reason: text,
        }),
        [
          param('controlId', ['control:no-such-control', 'x']),
          param('action', ['pieces', 'decision', 'reversement', 'recouvrement', 'x']),
        ],
      ),
      '/console/signalement': post(
        "An OG's report of a doubtful quote (public)",
        form({
          signalementId: text,
          ogFiness: text,
          editeurId: text,
          bdcReference: text,
          quoteCents: text,
          description: text,
          contactEmail: text,
        }),
      ),
      '/console/signalements/{signalementId}/reponse': post(
        "An operator's answer to a signalement: checked, then confirmed",
        form({ etape: step, 'answer-0b6f1c9e-0000-4000-8000-000000000000': text }),
        [param('signalementId', ['0b6f1c9e-0000-4000-8000-000000000000', 'x'])],
      ),
      '/console/imports/finess': post('A FINESS extraction uploaded', multipart({ extraction: binary })),
      '/console/imports/bdc': post('A bulk registration file uploaded', multipart({ bdcs: binary })),
    },
  };
}
