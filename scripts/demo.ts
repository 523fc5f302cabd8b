import { ordonnateursOverApi } from './ordonnateurs';
import { demoPaymentRun } from './demo-payment-run';
import { enrolOverApi } from './samples/enrolment-over-api';
import { sampleBankDetails, sampleSiret } from './samples/enrolment';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient, ApiError } from '../cli/api-client';
import { loadConfig } from '../config/env';
import { projectRoot } from '../config/paths';
import { addCalendarDays, parisCivilDate } from '../domain/calendar';
import { simpleParser } from 'mailparser';
import { shippedCampaigns } from '../domain/campaigns';
import { maildirMessages } from '../notifications/mail-sink';
import type { BdcRequest } from '../domain/bdc';
import { fixtureOgs, writeExtraction } from './samples/finess-extraction';
import { vaDocument } from './samples/bdc';

/**
 * `npm run demo`, with `npm start` running: a demo campaign whose closing falls minutes from now, a
 * batch of BDCs from the FINESS fixture driven along every path, so that the Web UI shows every
 * state, timer and compensation within ten minutes. Everything goes through the API, as operators
 * and éditeurs would.
 */
const CLOSING_IN_MINUTES = Number(process.env.DEMO_CLOSING_MINUTES ?? 4);
/** the éditeur is reminded this long before its deadlines, so that the demo shows a reminder email */
const REMINDER_MINUTES = 2;
const fixture = path.join(projectRoot, 'test', 'fixtures', 'finess-extraction.csv');

type View = { bdcId: string; status: string };
const say = (line: string) => process.stdout.write(`${line}\n`);
const today = () => parisCivilDate(new Date());
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const started = Date.now();
  const config = loadConfig();
  const credentials = path.join(config.DATA_DIR, 'dev-credentials.json');
  if (!fs.existsSync(credentials)) throw new Error(`no ${credentials}: start the engine first with npm start`);
  const tokens = JSON.parse(fs.readFileSync(credentials, 'utf8')) as Record<string, string | undefined>;
  if (!tokens.ordonnateur || !tokens.ordonnateur2)
    throw new Error(
      `${credentials} predates four eyes (no ordonnateur tokens): stop the engine, remove it and api-tokens.json beside it, start again`,
    );
  const url = process.env.SONS_API_URL ?? `http://127.0.0.1:${config.API_PORT}`;
  const operator = new ApiClient(url, tokens.operator!);
  const editeur = new ApiClient(url, tokens.editeur!);
  // money is decided by four eyes: two ordonnateurs (two persons) validate every sum the demo makes due
  const onDuty = ordonnateursOverApi(url, [tokens.ordonnateur, tokens.ordonnateur2]);

  say('1. FINESS reference data: the shipped fixture');
  await operator.upload('/finess/extractions', fixture).then(
    () => say('   imported'),
    (err: ApiError) =>
      say(`   ${err.refusals[0]?.code === 'extraction_already_imported' ? 'already imported' : err.message}`),
  );

  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const campaignId = `demo-${stamp}`;
  say(`2. Campaign ${campaignId}: orders today, closing in ${CLOSING_IN_MINUTES} minutes`);
  const ms1 = shippedCampaigns.find((c) => c.id === 'vague1-ms1')!;
  // its éditeur is reminded two minutes before each deadline (a real campaign: 30, 7 and 1 days before)
  await operator.request('POST', '/campaigns', {
    ...ms1,
    finessExtraction: undefined,
    id: campaignId,
    label: `Démo SONS ${stamp}`,
    openingDate: addCalendarDays(today(), -7),
    orderDeadline: today(),
    closingDate: addCalendarDays(today(), 1),
    reminderOffsetsMinutes: [REMINDER_MINUTES],
    sources: ['npm run demo'],
  });
  await editeur.request('PUT', '/contacts/editeur/editeur-demo', { emails: ['dsi@editeur-demo.example'] });

  // the fixture's OGs and their ESSMS, in the order the generator wrote them
  const ogs = writeExtraction(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-demo-')), 'fixture.csv'), {
    date: '2023-01-17',
    ogs: fixtureOgs,
  }).filter((o) => o.essms.length && o.name !== "Sauvegarde de l'Enfance");
  const candidates = ogs.flatMap((o) => o.essms.map((essms) => ({ og: o.og, name: o.name, essms })));
  let cursor = 0;
  let serial = 0;

  /** Registers a BDC on ESSMS nobody holds yet (earlier demos keep theirs). */
  async function register(path: string, solutionReferenced = true): Promise<{ bdcId: string; request: BdcRequest }> {
    for (;;) {
      const candidate = candidates[cursor++];
      if (!candidate) throw new Error('the fixture has no free ESSMS left: start from a fresh .data/');
      // a référencée solution, or one of its own awaiting référencement (a decision is the solution's: each path its own)
      const reference = `DEMO-${stamp}-${++serial}`;
      const request = {
        editeurId: 'editeur-demo',
        reference,
        campaignId,
        solutionId: solutionReferenced ? 'demo-dui-5' : `demo-dui-next-${reference}`,
        ogFiness: candidate.og,
        // the OG's name as its order states it
        ...(candidate.name ? { ogName: candidate.name } : {}),
        essms: [candidate.essms],
        orderDate: today(),
      };
      try {
        const { bdcId } = await operator.request<{ bdcId: string }>('POST', '/bdcs', {
          ...request,
          eventId: `demo-${reference}`,
        });
        say(`   ${bdcId.padEnd(40)} ${path}`);
        return { bdcId, request };
      } catch (err) {
        if (err instanceof ApiError && err.refusals[0]?.code === 'essms_already_financed') continue;
        throw err;
      }
    }
  }
  const until = async (bdcId: string, statuses: string[]) => {
    for (let i = 0; i < 100; i++) {
      const view = await operator.request<View>('GET', `/bdcs/${bdcId}`);
      if (statuses.includes(view.status)) return view;
      await pause(200);
    }
    throw new Error(`${bdcId} did not reach ${statuses.join(' or ')}`);
  };
  const va = (request: BdcRequest, cents: number) => ({
    eventId: `demo-va-${request.reference}-${cents}`,
    ...vaDocument(request, new Date(Date.now() - 60_000).toISOString(), cents),
  });
  const event = (name: string, bdcId: string) => ({ eventId: `demo-${name}-${bdcId}` });

  say(
    '3. The éditeur enrols (SIRET, mandate, VAT attestation, bank details validated by an ordonnateur): no order is validated for an éditeur the ASP cannot pay',
  );
  say(
    (await enrolOverApi(
      {
        url,
        editeurId: 'editeur-demo',
        editeurToken: tokens.editeur!,
        editeurPerson: 'editeur-demo/demo-editeur',
        ordonnateurToken: tokens.ordonnateur,
      },
      stamp,
    ))
      ? `   editeur-demo enrolled (SIRET ${sampleSiret('editeur-demo')}), its IBAN ${sampleBankDetails.iban} validated`
      : '   editeur-demo enrolled already',
  );

  say('4. The ANS référence the solution demo-dui-5 (the registry of solutions)');
  await operator.request('POST', '/solutions/demo-dui-5/referencement/decision', {
    eventId: 'demo-dui-5-granted',
    decision: 'granted',
    decidedOn: today(),
    editeurId: 'editeur-demo',
  });

  // the éditeur names its solution: the console shows « DUI Démo 5 (demo-dui-5) » where the id was
  await editeur.request('PUT', '/solutions/demo-dui-5/name', { name: 'DUI Démo 5' });

  say('5. BDCs along every path');
  const happy = await register('happy path: advance, VA, balance');
  const referenced = await register('ordered before référencement: dossier filed, granted, paid', false);
  const refused = await register('référencement refused: rejected', false);
  const cancelledEarly = await register('cancelled before the advance', false);
  const cancelledLate = await register('cancelled after the advance: advance demanded back, then received');
  const invalidVa = await register('invalid VA refused, then a valid one');
  const below = await register('invoice below the advance: the difference demanded back');
  const lapse1 = await register(`no VA by the closing (${CLOSING_IN_MINUTES} min): lapses, advance demanded back`);
  const lapse2 = await register(`no VA by the closing (${CLOSING_IN_MINUTES} min): lapses, advance demanded back`);
  const lapsePending = await register('still awaiting référencement at the closing: lapses without payment', false);

  say('6. Éditeur and operator events');
  await until(happy.bdcId, ['awaiting_va']);
  await editeur.request('POST', `/bdcs/${happy.bdcId}/va`, va(happy.request, 600_000));
  await editeur.request('POST', `/bdcs/${referenced.bdcId}/referencement/dossier`, {
    ...event('dossier', referenced.bdcId),
    filedOn: today(),
  });
  await operator.request('POST', `/bdcs/${referenced.bdcId}/referencement/decision`, {
    ...event('granted', referenced.bdcId),
    decision: 'granted',
    decidedOn: today(),
  });
  await until(referenced.bdcId, ['awaiting_va']);
  await editeur.request('POST', `/bdcs/${referenced.bdcId}/va`, va(referenced.request, 400_000));
  await operator.request('POST', `/bdcs/${refused.bdcId}/referencement/decision`, {
    ...event('refused', refused.bdcId),
    decision: 'refused',
    decidedOn: today(),
  });
  await operator.request('POST', `/bdcs/${cancelledEarly.bdcId}/cancellation`, {
    ...event('cancel', cancelledEarly.bdcId),
    reason: "l'OG renonce à la commande",
  });
  await until(cancelledLate.bdcId, ['awaiting_va']);
  await operator.request('POST', `/bdcs/${cancelledLate.bdcId}/cancellation`, {
    ...event('cancel', cancelledLate.bdcId),
    reason: 'éditeur défaillant',
  });
  const due = await until(cancelledLate.bdcId, ['reimbursement_due']);
  await operator.request('POST', `/bdcs/${cancelledLate.bdcId}/reimbursements`, {
    ...event('received', cancelledLate.bdcId),
    amountCents: (due as unknown as { amounts: { toReimburseCents: number } }).amounts.toReimburseCents,
    receivedOn: today(),
  });
  await until(invalidVa.bdcId, ['awaiting_va']);
  const bad = va(invalidVa.request, 400_000);
  bad.va.essms[0]!.tbb1 = { 'TBB.1.1': 0 };
  bad.invoice.ogFiness = '010003820';
  await editeur
    .request('POST', `/bdcs/${invalidVa.bdcId}/va`, bad)
    .catch((err: ApiError) =>
      say(`   ${invalidVa.bdcId}: VA refused (${err.status}):\n     ${err.message.replace(/\n/g, '\n     ')}`),
    );
  await editeur.request('POST', `/bdcs/${invalidVa.bdcId}/va`, va(invalidVa.request, 400_000));
  await until(below.bdcId, ['awaiting_va']);
  await editeur.request('POST', `/bdcs/${below.bdcId}/va`, va(below.request, 50_000));
  const belowDue = await until(below.bdcId, ['reimbursement_due']);
  await operator.request('POST', `/bdcs/${below.bdcId}/reimbursements`, {
    ...event('received', below.bdcId),
    amountCents: (belowDue as unknown as { amounts: { toReimburseCents: number } }).amounts.toReimburseCents,
    receivedOn: today(),
  });
  await Promise.all([lapse1, lapse2].map((b) => until(b.bdcId, ['awaiting_va'])));

  const closingAt = new Date(Date.now() + CLOSING_IN_MINUTES * 60_000).toISOString();
  say(`7. Calendar amendment: the campaign now closes at ${closingAt}`);
  const plan = await operator.request<{ runningBdcs: number; bdcs: { bdcId: string; effect: string }[] }>(
    'POST',
    `/campaigns/${campaignId}/calendar/dry-run`,
    { closingAt },
  );
  say(`   dry run: ${plan.runningBdcs} running BDCs — ${[...new Set(plan.bdcs.map((b) => b.effect))].join(', ')}`);
  const { batchId } = await operator.request<{ batchId: string }>('POST', `/campaigns/${campaignId}/calendar`, {
    eventId: `demo-closing-${stamp}`,
    closingAt,
    reason: 'démonstration: clôture dans quelques minutes',
  });
  for (let i = 0; i < 100; i++) {
    const progress = await operator
      .request<{ applied: number; total?: number; done: boolean }>('GET', `/batches/${encodeURIComponent(batchId)}`)
      .catch(() => ({ applied: 0, total: 0, done: false }));
    if (progress.done) {
      say(`   batch ${batchId}: ${progress.applied} of ${progress.total} BDCs amended`);
      break;
    }
    await pause(300);
  }

  say('8. Payment run: a comptable releases the éditeur’s validated orders as one SEPA file');
  await demoPaymentRun(
    { url, editeur: 'editeur-demo', comptable: new ApiClient(url, tokens.comptable!) },
    stamp,
    config.DATA_DIR,
    say,
  );

  const ui = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows?query=${encodeURIComponent(`BdcCampaign = '${campaignId}'`)}`;
  say(`9. Open the Web UI: ${ui}`);
  say(
    `   and the console: ${url}/console/ — sign in as the operator with ${tokens.operator}, or as the demo's éditeur (editeur-demo) with ${tokens.editeur}`,
  );
  if (process.argv.includes('--no-wait')) {
    // the ordonnateurs on duty poll the API: stopped, or the demo never ends
    await onDuty.stop();
    return;
  }
  say(`   waiting for the closing (${closingAt}) to lapse the last BDCs…`);
  await pause(Math.max(0, Date.parse(closingAt) - Date.now()) + 5_000);
  for (const b of [lapse1, lapse2, lapsePending]) await until(b.bdcId, ['reimbursement_due', 'lapsed']);
  const { bdcs } = await operator.request<{ bdcs: { bdcId: string; status: string }[] }>(
    'GET',
    `/bdcs?campaign=${campaignId}&pageSize=50`,
  );
  say(
    `   ${onDuty.validated()} sums validated by the ordonnateurs on duty (four eyes: GET /proposals, the console's « Ordres à valider »)`,
  );
  await onDuty.stop();
  say('10. Where every BDC of the demo stands:');
  for (const b of bdcs.sort((x, y) => x.bdcId.localeCompare(y.bdcId))) say(`   ${b.bdcId.padEnd(40)} ${b.status}`);
  say(`   the ledger: sons report, sons ledger reconcile, sons ledger export (see README)`);
  // the reminder of the closing, two minutes before it, as the éditeur's mailbox received it
  const mailbox = path.join(config.DATA_DIR, 'mail');
  const reminders = (await Promise.all(maildirMessages(mailbox).map((raw) => simpleParser(raw)))).filter(
    (m) =>
      String(m.headers.get('x-sons-notification') ?? '').startsWith('reminder:') &&
      (m.date?.getTime() ?? 0) >= started - 60_000,
  );
  const last = reminders.at(-1);
  say(
    last
      ? `10. The reminder email, in the engine's mailbox (${mailbox}/new):\n   To: ${Array.isArray(last.to) ? last.to.map((t) => t.text).join(', ') : last.to?.text}\n   Subject: ${last.subject}\n${(
          last.text ?? ''
        )
          .split('\n')
          .map((l) => `   | ${l}`)
          .join('\n')}`
      : `10. No reminder email in ${mailbox}/new yet (with SMTP_URL set, look in that server's mailbox)`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof ApiError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
