#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config/env';
import { formatEuros } from '../domain/money';
import { ZodError } from 'zod';
import { RefusedError, refusalsFromZod, type Refusal } from '../domain/refusal';
import { newToken, tokensSchema, type Role } from '../api/auth';
import { ApiClient, ApiError } from './api-client';
import { importBdcs } from './bdc-import';
import { importLayout, parseCsv, refusedRowsCsv } from '../domain/bdc-import';
import { progressBar } from './progress';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, differences: 1, usage: 2, unavailable: 3, failure: 4, refused: 5 } as const;

const usage = `usage: sons <command> [options]   (--json for machine-readable output)
  campaigns                                       the campaigns and their calendars
  bdc list [--status S] [--campaign C] [--editeur E] [--og F] [--essms F]
  bdc register FILE.json                          one BDC (the fields of an import row, in JSON)
  bdc show BDC_ID                                 full state and audit trail
  bdc cancel BDC_ID --reason TEXT
  bdc reimbursement BDC_ID --cents N --on DATE
  bdc dossier BDC_ID --on DATE                    référencement dossier filed
  bdc decision BDC_ID --decision granted|refused --on DATE   (the decision of the BDC's solution)
  bdc va BDC_ID FILE.json                         an éditeur's VA and invoice
  bdc attention BDC_ID --decision retry|cancel --reason TEXT   for a BDC that needs attention
  bdc settle BDC_ID --decision escalate|write_off --reason TEXT   an overdue reimbursement
  bdc notifications BDC_ID                        the reminders it caused, and their delivery
  solution decision SOLUTION_ID --decision granted|refused --on DATE [--editeur ID]
  control draw --seed S (--rate R | --size N) [--campaign C] --assigned-to NAME --documents A,B --due-on DATE
  control redraw DRAW_ID                          the same sample from the same seed? (exit 1 if not)
  control list [--status S] | control show CONTROL_ID
  control documents CONTROL_ID --on DATE          the documents were received
  control decide CONTROL_ID --decision passed|failed --reason TEXT [--cents N]
  control recovery CONTROL_ID --cents N --on DATE | control settle CONTROL_ID --decision escalate|write_off --reason TEXT
  contact set editeur|og|operators ID --email A[,B] [--webhook URL --secret S]
  signalement list [--status open|answered] | signalement answer ID --reason TEXT
  calendar amend CAMPAIGN [--order-deadline DATE] [--closing DATE] --reason TEXT [--dry-run] [--confirm]
  batch progress BATCH_ID                         a calendar or référencement batch
  import FILE.csv [--refused OUT.csv]             register a batch of BDCs (idempotent)
  report [--csv]                                  summary by campaign, status, éditeur
  ledger reconcile                                exit 1 on any difference
  ledger export [--out FILE]                      payment orders as CSV
  finess import FILE                              a FINESS extraction (a new version)
  finess exclusions FILE                          ESMS numérique exclusions, "finess;reason" lines
  journal status                                  the journal's head, last checkpoint, last verification (admin)
  journal verify                                  the worker verifies the whole journal now; exit 1 on a mismatch
  journal checkpoint                              the worker signs a checkpoint now and publishes it
  journal export --out FILE [--from N] [--to N] [--bdc ID]   an auditor's export (scripts/journal-verify.mjs)
  journal keys [--out FILE]                       the journal's public keys (the verifier's --keys file)
  token new --role operator|admin|editeur --name NAME [--editeur ID] [--days N] [--append FILE]
                                                  a new API secret, valid N days (90); only its hash goes to FILE
  token revoke NAME --reason TEXT                 refused from the next request on, in every API process,
                                                  and its console sessions ended (an admin's token)
The API is SONS_API_URL (default http://127.0.0.1:$API_PORT); the token SONS_TOKEN, or on this machine
the operator token npm start made (DATA_DIR/dev-credentials.json; its admin token for token revoke).`;

type Json = Record<string, unknown>;

function apiFor(config: Config, role: 'operator' | 'admin' = 'operator'): ApiClient {
  const url = process.env.SONS_API_URL ?? `http://127.0.0.1:${config.API_PORT}`;
  let token = process.env.SONS_TOKEN;
  const credentials = path.join(config.DATA_DIR, 'dev-credentials.json');
  if (!token && fs.existsSync(credentials))
    token = (JSON.parse(fs.readFileSync(credentials, 'utf8')) as Record<string, string | undefined>)[role];
  return new ApiClient(url.replace(/\/$/, ''), token);
}

function table(rows: Json[], columns: string[]): string {
  const cell = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(' ') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return (
    [
      line(columns),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
    ].join('\n') + '\n'
  );
}

/** `finess;reason` lines (a header line is skipped); the API validates every FINESS. */
function parseExclusions(text: string): { finess: string; reason: string }[] {
  return parseCsv(text)
    .filter((row, i) => !(i === 0 && /^finess/i.test(row[0] ?? '')))
    .map(([finess = '', reason = 'financed by ESMS numérique for a référencé DUI']) => ({
      finess,
      reason: reason.trim(),
    }));
}

async function run(argv: string[]): Promise<number> {
  const { values: o, positionals: p } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      confirm: { type: 'boolean' },
      status: { type: 'string' },
      campaign: { type: 'string' },
      editeur: { type: 'string' },
      og: { type: 'string' },
      essms: { type: 'string' },
      reason: { type: 'string' },
      cents: { type: 'string' },
      on: { type: 'string' },
      decision: { type: 'string' },
      'order-deadline': { type: 'string' },
      closing: { type: 'string' },
      out: { type: 'string' },
      refused: { type: 'string' },
      'event-id': { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      append: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      size: { type: 'string' },
      'assigned-to': { type: 'string' },
      documents: { type: 'string' },
      'due-on': { type: 'string' },
      email: { type: 'string' },
      webhook: { type: 'string' },
      secret: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      bdc: { type: 'string' },
    },
  });
  const config = loadConfig();
  const api = apiFor(config);
  const eventId = o['event-id'] ?? randomUUID();
  const print = (value: unknown, human: () => string) =>
    process.stdout.write(o.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  const showControl = (v: Json) =>
    print(v, () => `${v.controlId}  ${v.status}\n${table((v.audit as Json[]) ?? [], ['at', 'what', 'eventId'])}`);
  const showBdc = (v: Json) =>
    print(
      v,
      () =>
        `${v.bdcId}  ${v.status}${v.reimbursementOverdue ? ' (reimbursement overdue)' : ''}\n${table((v.audit as Json[]) ?? [], ['at', 'what', 'eventId'])}`,
    );
  const [command, sub, arg, arg2] = p;

  if (command === 'token' && sub === 'new' && o.role && o.name) {
    const days = o.days === undefined ? undefined : Number(o.days);
    if (days !== undefined && !(Number.isInteger(days) && days > 0)) {
      process.stderr.write(`sons: --days takes a whole number of days\n${usage}\n`);
      return EXIT.usage;
    }
    const { secret, entry } = newToken(
      { name: o.name, role: o.role as Role, ...(o.editeur ? { editeurId: o.editeur } : {}) },
      days ? { days } : {},
    );
    if (o.append) {
      const existing = fs.existsSync(o.append) ? tokensSchema.parse(JSON.parse(fs.readFileSync(o.append, 'utf8'))) : [];
      fs.mkdirSync(path.dirname(o.append), { recursive: true });
      fs.writeFileSync(o.append, `${JSON.stringify([...existing, entry], null, 2)}\n`);
    }
    print(
      { secret, entry },
      () =>
        `${secret}\n(give this secret to ${o.name}; it is shown once, valid until ${entry.expiresAt}${o.append ? `; its hash is in ${o.append}` : ''})\n`,
    );
    return EXIT.ok;
  }
  if (command === 'token' && sub === 'revoke' && arg && o.reason) {
    const revoked = await apiFor(config, 'admin').request<{ name: string; secrets: number; sessionsEnded: number }>(
      'POST',
      `/tokens/${encodeURIComponent(arg)}/revocation`,
      { reason: o.reason },
    );
    print(
      revoked,
      () =>
        `token ${revoked.name} revoked (${revoked.secrets} secret(s)): refused from now on; ${revoked.sessionsEnded} console session(s) ended\n`,
    );
    return EXIT.ok;
  }
  const singleWord = ['campaigns', 'import', 'report'].includes(command ?? '');
  switch (singleWord ? command : `${command ?? ''} ${sub ?? ''}`.trim()) {
    case 'campaigns': {
      const campaigns = await api.request<Json[]>('GET', '/campaigns');
      print(campaigns, () =>
        table(campaigns, ['id', 'couloir', 'openingDate', 'orderDeadline', 'closingDate', 'label']),
      );
      return EXIT.ok;
    }
    case 'bdc list': {
      const query = new URLSearchParams(
        Object.entries({ status: o.status, campaign: o.campaign, editeur: o.editeur, og: o.og, essms: o.essms }).filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      );
      const page = await api.request<{ bdcs: Json[] }>('GET', `/bdcs?${query}`);
      print(page, () =>
        table(page.bdcs, ['bdcId', 'status', 'campaign', 'editeur', 'og', 'ceilingCents', 'nextDeadline']),
      );
      return EXIT.ok;
    }
    case 'bdc register': {
      if (!arg) break;
      const { bdcId } = await api.request<{ bdcId: string }>('POST', '/bdcs', {
        eventId,
        ...(JSON.parse(fs.readFileSync(arg, 'utf8')) as Json),
      });
      print({ bdcId }, () => `${bdcId} registered\n`);
      return EXIT.ok;
    }
    case 'bdc show':
      if (!arg) break;
      showBdc(await api.request<Json>('GET', `/bdcs/${encodeURIComponent(arg)}`));
      return EXIT.ok;
    case 'bdc cancel':
      if (!arg || !o.reason) break;
      showBdc(
        await api.request<Json>('POST', `/bdcs/${encodeURIComponent(arg)}/cancellation`, { eventId, reason: o.reason }),
      );
      return EXIT.ok;
    case 'bdc reimbursement':
      if (!arg || !o.cents || !o.on) break;
      showBdc(
        await api.request<Json>('POST', `/bdcs/${encodeURIComponent(arg)}/reimbursements`, {
          eventId,
          amountCents: Number(o.cents),
          receivedOn: o.on,
        }),
      );
      return EXIT.ok;
    case 'bdc dossier':
      if (!arg || !o.on) break;
      showBdc(
        await api.request<Json>('POST', `/bdcs/${encodeURIComponent(arg)}/referencement/dossier`, {
          eventId,
          filedOn: o.on,
        }),
      );
      return EXIT.ok;
    case 'bdc decision':
      if (!arg || !o.decision || !o.on) break;
      showBdc(
        await api.request<Json>('POST', `/bdcs/${encodeURIComponent(arg)}/referencement/decision`, {
          eventId,
          decision: o.decision,
          decidedOn: o.on,
        }),
      );
      return EXIT.ok;
    case 'bdc va':
      if (!arg || !arg2) break;
      showBdc(
        await api.request<Json>('POST', `/bdcs/${encodeURIComponent(arg)}/va`, {
          eventId,
          ...(JSON.parse(fs.readFileSync(arg2, 'utf8')) as Json),
        }),
      );
      return EXIT.ok;
    case 'bdc attention':
      if (!arg || !o.decision || !o.reason) break;
      showBdc(
        await api.request<Json>('POST', `/bdcs/${encodeURIComponent(arg)}/attention`, {
          eventId,
          decision: o.decision,
          reason: o.reason,
        }),
      );
      return EXIT.ok;
    case 'bdc settle':
      // an overdue reimbursement: --decision escalate|write_off
      if (!arg || !o.decision || !o.reason) break;
      showBdc(
        await api.request<Json>('POST', `/bdcs/${encodeURIComponent(arg)}/reimbursement/settlement`, {
          eventId,
          decision: o.decision,
          reason: o.reason,
        }),
      );
      return EXIT.ok;
    case 'bdc notifications': {
      if (!arg) break;
      const { notifications } = await api.request<{ notifications: Json[] }>(
        'GET',
        `/bdcs/${encodeURIComponent(arg)}/notifications`,
      );
      print(notifications, () =>
        table(notifications, ['createdAt', 'template', 'channel', 'address', 'status', 'attempts', 'subject']),
      );
      return EXIT.ok;
    }
    case 'control draw': {
      if (!o.seed || !(o.rate || o.size) || !o['assigned-to'] || !o.documents || !o['due-on']) break;
      const draw = await api.request<{ drawId: string; population: number; sample: Json[] }>(
        'POST',
        '/controls/draws',
        {
          eventId,
          seed: o.seed,
          ...(o.rate ? { rate: Number(o.rate) } : { size: Number(o.size) }),
          ...(o.campaign ? { campaignId: o.campaign } : {}),
          assignedTo: o['assigned-to'],
          documents: o.documents
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean),
          documentsDueOn: o['due-on'],
        },
      );
      print(
        draw,
        () =>
          `draw ${draw.drawId}: ${draw.sample.length} of ${draw.population} completed BDCs\n${table(draw.sample, ['bdcId', 'stratum', 'rank'])}`,
      );
      return EXIT.ok;
    }
    case 'control redraw': {
      if (!arg) break;
      const again = await api.request<{ samePopulation: boolean; sameSample: boolean }>(
        'GET',
        `/controls/draws/${encodeURIComponent(arg)}/redraw`,
      );
      print(
        again,
        () =>
          `same population: ${again.samePopulation ? 'yes' : 'NO'}; same sample: ${again.sameSample ? 'yes' : 'NO'}\n`,
      );
      return again.samePopulation && again.sameSample ? EXIT.ok : EXIT.differences;
    }
    case 'control list': {
      const query = new URLSearchParams(
        Object.entries({ status: o.status }).filter((e): e is [string, string] => e[1] !== undefined),
      );
      const { controls } = await api.request<{ controls: Json[] }>('GET', `/controls?${query}`);
      print(controls, () => table(controls, ['controlId', 'status', 'assignedTo', 'paidCents']));
      return EXIT.ok;
    }
    case 'control show':
      if (!arg) break;
      showControl(await api.request<Json>('GET', `/controls/${encodeURIComponent(arg)}`));
      return EXIT.ok;
    case 'control documents':
      if (!arg || !o.on) break;
      showControl(
        await api.request<Json>('POST', `/controls/${encodeURIComponent(arg)}/documents`, {
          eventId,
          receivedOn: o.on,
        }),
      );
      return EXIT.ok;
    case 'control decide':
      // --decision passed|failed --reason TEXT (the findings) [--cents N, for a failed control]
      if (!arg || !o.decision || !o.reason) break;
      showControl(
        await api.request<Json>('POST', `/controls/${encodeURIComponent(arg)}/decision`, {
          eventId,
          outcome: o.decision,
          findings: o.reason,
          reasons: o.decision === 'failed' ? [o.reason] : [],
          ...(o.cents ? { recoveryCents: Number(o.cents) } : {}),
        }),
      );
      return EXIT.ok;
    case 'control recovery':
      if (!arg || !o.cents || !o.on) break;
      showControl(
        await api.request<Json>('POST', `/controls/${encodeURIComponent(arg)}/recoveries`, {
          eventId,
          amountCents: Number(o.cents),
          receivedOn: o.on,
        }),
      );
      return EXIT.ok;
    case 'control settle':
      if (!arg || !o.decision || !o.reason) break;
      showControl(
        await api.request<Json>('POST', `/controls/${encodeURIComponent(arg)}/settlement`, {
          eventId,
          decision: o.decision,
          reason: o.reason,
        }),
      );
      return EXIT.ok;
    case 'contact set': {
      // contact set editeur|og|operators ID --email A[,B] [--webhook URL --secret S]
      if (!arg || !arg2) break;
      const saved = await api.request<Json>('PUT', `/contacts/${encodeURIComponent(arg)}/${encodeURIComponent(arg2)}`, {
        emails: (o.email ?? '')
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
        ...(o.webhook ? { webhookUrl: o.webhook } : {}),
        ...(o.secret ? { webhookSecret: o.secret } : {}),
      });
      print(
        saved,
        () =>
          `${arg} ${arg2}: ${(saved.emails as string[]).join(', ') || 'no email'}${saved.webhookUrl ? `, webhook ${saved.webhookUrl}${saved.webhookSigned ? ' (signed)' : ''}` : ''}\n`,
      );
      return EXIT.ok;
    }
    case 'signalement list': {
      const { signalements } = await api.request<{ signalements: Json[] }>(
        'GET',
        `/signalements${o.status ? `?status=${o.status}` : ''}`,
      );
      print(signalements, () =>
        table(signalements, ['signalementId', 'status', 'editeurId', 'bdcId', 'ogFiness', 'receivedAt']),
      );
      return EXIT.ok;
    }
    case 'signalement answer': {
      if (!arg || !o.reason) break;
      const answered = await api.request<Json>('POST', `/signalements/${encodeURIComponent(arg)}/answer`, {
        answer: o.reason,
      });
      print(answered, () => `${arg}: ${answered.status}\n`);
      return EXIT.ok;
    }
    case 'solution decision': {
      if (!arg || !o.decision || !o.on) break;
      const { batchId, state } = await api.request<{ batchId: string; state: string }>(
        'POST',
        `/solutions/${encodeURIComponent(arg)}/referencement/decision`,
        { eventId, decision: o.decision, decidedOn: o.on, ...(o.editeur ? { editeurId: o.editeur } : {}) },
      );
      process.stderr.write(`solution ${arg}: ${state}; delivering to its waiting BDCs\n`);
      return followBatch(api, batchId, 'deciding', print);
    }
    case 'calendar amend': {
      if (!arg || (!o.closing && !o['order-deadline'])) break;
      const dates = {
        ...(o.closing ? { closingDate: o.closing } : {}),
        ...(o['order-deadline'] ? { orderDeadline: o['order-deadline'] } : {}),
      };
      if (o['dry-run']) {
        const plan = await api.request<{
          bdcs: Json[];
          runningBdcs: number;
          outcomeChanges: number;
          requiresConfirmation: boolean;
        }>('POST', `/campaigns/${arg}/calendar/dry-run`, dates);
        print(
          plan,
          () =>
            `${table(plan.bdcs, ['bdcId', 'status', 'closing', 'newClosing', 'effect'])}${plan.runningBdcs} running BDCs, ${plan.outcomeChanges} would lapse at once${plan.requiresConfirmation ? ' (amending needs --confirm)' : ''}\n`,
        );
        return EXIT.ok;
      }
      if (!o.reason) break;
      const { batchId } = await api.request<{ batchId: string }>('POST', `/campaigns/${arg}/calendar`, {
        eventId,
        reason: o.reason,
        ...dates,
        ...(o.confirm ? { confirmed: true } : {}),
      });
      return followBatch(api, batchId, 'amending', print);
    }
    case 'batch progress':
    case 'calendar progress': {
      if (!arg) break;
      const progress = await api.request<BatchProgress>('GET', `/batches/${encodeURIComponent(arg)}`);
      print(progress, () => `${describeBatch(progress)}\n`);
      return EXIT.ok;
    }
    case 'import': {
      if (!sub) break;
      const started = Date.now();
      const rows = parseCsv(fs.readFileSync(sub, 'utf8'));
      const result = await importBdcs(api, rows, {
        onProgress: progressBar(process.stderr, 'registering'),
      });
      const refusedFile = o.refused ?? `${sub.replace(/\.csv$/i, '')}.refused.csv`;
      // the refused rows with the columns the file had (its optional ones too)
      if (result.refused.length)
        fs.writeFileSync(refusedFile, refusedRowsCsv(result.refused, importLayout(rows[0])), 'utf8');
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      print(
        {
          ...result,
          refused: result.refused.length,
          refusedFile: result.refused.length ? refusedFile : undefined,
          seconds: Number(seconds),
        },
        () =>
          `${result.registered} registered, ${result.skipped} already registered (skipped), ${result.refused.length} refused${result.refused.length ? ` → ${refusedFile}` : ''} in ${seconds} s\n`,
      );
      return result.refused.length ? EXIT.refused : EXIT.ok;
    }
    case 'report': {
      if (o.csv) {
        process.stdout.write(await api.request<string>('GET', '/reports/summary.csv'));
        return EXIT.ok;
      }
      const { lines } = await api.request<{ lines: Json[] }>('GET', '/reports/summary');
      const euros = (k: string) => (l: Json) => formatEuros(Number(l[k]));
      print(lines, () =>
        table(
          lines.map((l) => ({
            ...l,
            committed: euros('committedCents')(l),
            advanced: euros('advancedCents')(l),
            paid: euros('paidCents')(l),
            demanded: euros('demandedCents')(l),
            received: euros('receivedCents')(l),
            writtenOff: euros('writtenOffCents')(l),
            outstanding: euros('outstandingCents')(l),
          })),
          [
            'campaign',
            'status',
            'editeur',
            'bdcs',
            'committed',
            'advanced',
            'paid',
            'demanded',
            'received',
            'writtenOff',
            'outstanding',
          ],
        ),
      );
      return EXIT.ok;
    }
    case 'ledger reconcile': {
      const result = await api.request<{ bdcs: number; differences: Json[] }>('GET', '/ledger/reconciliation');
      print(
        result,
        () =>
          `${result.differences.length ? table(result.differences, ['bdcId', 'kind', 'what']) : ''}${result.bdcs} BDCs compared, ${result.differences.length} difference(s)\n`,
      );
      return result.differences.length ? EXIT.differences : EXIT.ok;
    }
    case 'ledger export': {
      const csv = await api.request<string>('GET', '/ledger/payment-orders.csv');
      if (o.out) fs.writeFileSync(o.out, csv, 'utf8');
      else process.stdout.write(csv);
      return EXIT.ok;
    }
    case 'journal status': {
      const status = await apiFor(config, 'admin').request<Json>('GET', '/journal');
      print(status, () => describeJournal(status));
      return EXIT.ok;
    }
    case 'journal verify': {
      const admin = apiFor(config, 'admin');
      const { id } = await admin.request<{ id: number }>('POST', '/journal/verifications');
      process.stderr.write(`verification ${id} asked of the worker…\n`);
      const v = await until(
        () => admin.request<Json>('GET', `/journal/verifications/${id}`),
        (x) => ['ok', 'mismatch', 'failed'].includes(String(x.status)),
      );
      print(v, () => describeVerification(v));
      return v.status === 'ok' ? EXIT.ok : v.status === 'mismatch' ? EXIT.differences : EXIT.failure;
    }
    case 'journal checkpoint': {
      const admin = apiFor(config, 'admin');
      const { id } = await admin.request<{ id: number }>('POST', '/journal/checkpoints');
      const done = await until(
        () => admin.request<Json>('GET', `/journal/checkpoints/requests/${id}`),
        (x) => x.done === true,
      );
      const { checkpoints } = await admin.request<{ checkpoints: Json[] }>('GET', '/journal/checkpoints');
      const c = checkpoints.find((x) => x.n === done.checkpointN);
      print(c ?? done, () =>
        c
          ? `checkpoint #${c.n}: entry ${c.seq}, hash ${c.hash}, signed ${c.signedAt} with key ${c.keyId}\n${JSON.stringify({ type: 'checkpoint', n: c.n, statement: c.statement, signature: c.signature, keyId: c.keyId })}\n`
          : 'the journal is empty: nothing to sign\n',
      );
      return EXIT.ok;
    }
    case 'journal export': {
      if (!o.out) break;
      const query = new URLSearchParams({
        ...(o.from ? { from: o.from } : {}),
        ...(o.to ? { to: o.to } : {}),
        ...(o.bdc ? { bdcId: o.bdc } : {}),
      }).toString();
      const bytes = await apiFor(config, 'admin').download(`/journal/export${query ? `?${query}` : ''}`, o.out);
      print(
        { file: o.out, bytes },
        () => `${o.out}: ${bytes} bytes; check it with node scripts/journal-verify.mjs ${o.out} --keys KEYS.json\n`,
      );
      return EXIT.ok;
    }
    case 'journal keys': {
      const keys = await apiFor(config, 'admin').request<Json>('GET', '/journal/keys');
      const text = `${JSON.stringify(keys, null, 2)}\n`;
      if (o.out) fs.writeFileSync(o.out, text);
      else process.stdout.write(text);
      return EXIT.ok;
    }
    case 'finess import': {
      if (!arg) break;
      const summary = await api.upload<{
        extraction: Json;
        encoding: string;
        rejections: Record<string, { count: number; lines: number[] }>;
      }>('/finess/extractions', arg);
      const e = summary.extraction;
      print(
        summary,
        () =>
          `extraction of ${e.date} (#${e.id}, ${summary.encoding}): ${e.rowsRead} rows read, ${e.rowsKept} kept, ${e.rowsRejected} rejected\n` +
          Object.entries(summary.rejections)
            .map(
              ([reason, r]) =>
                `  ${r.count} × ${reason} (lines ${r.lines.join(', ')}${r.count > r.lines.length ? ', …' : ''})\n`,
            )
            .join(''),
      );
      return EXIT.ok;
    }
    case 'finess exclusions': {
      if (!arg) break;
      const result = await api.request<{ imported: number; total: number }>('POST', '/finess/exclusions', {
        entries: parseExclusions(fs.readFileSync(arg, 'utf8')),
      });
      print(result, () => `${result.imported} exclusions imported; the list holds ${result.total}\n`);
      return EXIT.ok;
    }
  }
  process.stderr.write(`${usage}\n`);
  return EXIT.usage;
}

interface BatchProgress {
  batchId: string;
  total?: number;
  applied: number;
  skipped: number;
  failed: number;
  done: boolean;
  problems: Json[];
}

const describeBatch = (p: BatchProgress) =>
  `batch ${p.batchId}: ${p.applied} of ${p.total ?? '?'} BDCs applied, ${p.skipped} skipped, ${p.failed} failed${p.done ? ', done' : ''}`;

/** Follows a batch to its end with a progress bar; its BDCs skipped or failed are listed. */
async function followBatch(
  api: ApiClient,
  batchId: string,
  label: string,
  print: (value: unknown, human: () => string) => void,
): Promise<number> {
  const bar = progressBar(process.stderr, label);
  for (;;) {
    const progress = await api
      .request<BatchProgress>('GET', `/batches/${encodeURIComponent(batchId)}`)
      .catch((err: ApiError) => {
        if (err.status === 404) return undefined; // the batch has not begun yet
        throw err;
      });
    if (progress)
      bar(
        progress.applied + progress.skipped + progress.failed,
        progress.total ?? 0,
        `${progress.applied} applied, ${progress.skipped} skipped, ${progress.failed} failed`,
      );
    if (progress?.done) {
      print(
        progress,
        () =>
          `${describeBatch(progress)}\n${progress.problems.length ? table(progress.problems, ['bdcId', 'outcome', 'reason']) : ''}`,
      );
      return progress.failed ? EXIT.refused : EXIT.ok;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Polls the API until what it answers is done (the worker's work: a verification, a checkpoint). */
async function until<T>(read: () => Promise<T>, done: (t: T) => boolean, budgetMs = 30 * 60_000): Promise<T> {
  const end = Date.now() + budgetMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const describeVerification = (v: Json) => {
  const first = v.firstMismatch as Json | undefined;
  const list = (v.mismatchList as Json[] | undefined) ?? [];
  return v.status === 'ok'
    ? `journal verified: entries 1–${v.verifiedSeq} chained, ${v.checkpoints} checkpoint(s) signed by the journal's key, ${v.facts} facts as their entries say\n`
    : v.status === 'mismatch'
      ? `JOURNAL MISMATCH: ${v.mismatches} problem(s); the first entry that does not match: ${first?.seq ?? '—'}\n${list
          .slice(0, 20)
          .map(
            (m) => `  - ${m.seq && !String(m.what).startsWith(`entry ${m.seq}`) ? `entry ${m.seq}: ` : ''}${m.what}\n`,
          )
          .join('')}`
      : `the verification ${v.status}${v.failure ? `: ${v.failure}` : ''}\n`;
};

const describeJournal = (s: Json) => {
  const head = s.head as Json;
  const c = s.lastCheckpoint as Json | undefined;
  const v = s.lastVerification as Json | undefined;
  return [
    `journal ${s.journalId}: ${head.seq} entries, head ${head.hash}`,
    c ? `last checkpoint #${c.n}: entry ${c.seq}, signed ${c.signedAt} with key ${c.keyId}` : 'no checkpoint yet',
    v ? `last verification #${v.id} (${v.finishedAt}): ${v.status}` : 'no verification yet',
  ]
    .map((l) => `${l}\n`)
    .join('');
};

function printRefusals(refusals: Refusal[]) {
  process.stderr.write(
    `sons: refused:\n${refusals.map((r) => `  ${r.code}${r.path ? ` (${r.path})` : ''}: ${r.message}`).join('\n')}\n`,
  );
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ApiError) {
      printRefusals(err.refusals);
      process.exit(
        err.status === 0 || err.status === 401 || err.status === 403
          ? EXIT.unavailable
          : err.status >= 500
            ? EXIT.failure
            : EXIT.refused,
      );
    }
    if (err instanceof ZodError) {
      printRefusals(refusalsFromZod(err));
      process.exit(EXIT.usage);
    }
    // a file read here and refused before anything is sent (a CSV that is not one)
    if (err instanceof RefusedError) {
      printRefusals(err.refusals);
      process.exit(EXIT.refused);
    }
    const badArgs = (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ?? false;
    const unavailable = err instanceof ConfigError;
    process.stderr.write(
      `sons: ${badArgs || unavailable ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`,
    );
    process.exit(badArgs ? EXIT.usage : unavailable ? EXIT.unavailable : EXIT.failure);
  },
);
