import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  cancelBdc,
  fileDossier,
  recordReimbursement,
  resolveAttention,
  settleReimbursement,
  submitVa,
} from '../../client/bdc-events';
import { listProposals, rejectProposal, validateProposal } from '../../client/proposals';
import {
  controlState,
  decideControl,
  drawControls,
  recordRecoveryReceived,
  settleRecovery,
} from '../../client/controls';
import { reconcileLedger } from '../../client/reconciliation';
import { decideForBdc } from '../../client/solutions';
import { bdcMessages } from '../../contract/bdc';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import { RefusedError } from '../../domain/refusal';
import { moneyViolations } from '../../domain/invariants';
import { editeurActor, freshFiness, vaRequestBody } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessOperator, harnessPerFile } from '../support/harness';
import { moneyOf } from '../support/money';
import { ordonnateurs } from '../support/ordonnateurs';

// Issue 21: the ledger's invariants as properties. Random journeys of several BDCs that share OGs,
// ESSMS and solutions — registrations, décisions (per BDC and per solution), dossiers, VAs valid and
// invalid, cancellations, calendar amendments, receipts in parts, controls failed with recoveries,
// escalations and write-offs, time passing — on the time-skipping server with the real ledger. After
// every step every invariant of domain/invariants.ts holds for every BDC of the journey, and at its
// end reconciliation finds no difference. A run prints its seed; PROPERTY_SEED replays it exactly
// (with PROPERTY_PATH, fast-check's shrunk path); PROPERTY_RUNS sizes it (`npm run test:properties`).
// Issue 24: the journeys also validate (one person or two, above a campaign's threshold), reject and
// resolve, and a non-ordonnateur tries to validate — beside the ordonnateurs on duty, who validate what
// is left; the invariants say no sum is written without the validations it needed, by persons other
// than who proposed or caused it. (Seeds 1712902910 and 2049902200 found a second person's validation
// accepted while the first one's commit was in flight — a recovery demanded once with two audit lines;
// fixed in workflows/kernel/process.ts, pinned by test/workflows/transitions.test.ts.)
const h = harnessPerFile();
const seed = Number(process.env.PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.PROPERTY_RUNS ?? 30);
/** the property's time, shrinking included: PROPERTY_BUDGET_MINUTES, or 15 (30 journeys on a busy machine) */
const budgetMs = Number(process.env.PROPERTY_BUDGET_MINUTES ?? (process.env.PROPERTY_RUNS ? 600 : 15)) * 60_000;
// Jest's own limit comes after the property's: a journey interrupted at the budget has 5 minutes to end
jest.setTimeout(budgetMs + 300_000);
const DAY = 86_400_000;

type Op =
  | { op: 'register'; og: number; essms: number[]; solution: number; referenced: boolean; twoEyes: boolean }
  | { op: 'validate'; bdc: number; who: number }
  | { op: 'reject'; bdc: number }
  | { op: 'attention'; bdc: number; retry: boolean }
  | { op: 'decide'; bdc: number; granted: boolean; daysAgo: number }
  | { op: 'dossier'; bdc: number; daysAgo: number }
  | { op: 'va'; bdc: number; valid: boolean; invoicePercent: number }
  | { op: 'cancel'; bdc: number }
  | { op: 'amend'; bdc: number; days: number }
  | { op: 'receipt'; bdc: number; percent: number }
  | { op: 'settle'; bdc: number; writeOff: boolean }
  | { op: 'control'; percent: number }
  | { op: 'recovery'; percent: number; writeOff: boolean }
  | { op: 'wait'; days: number };

const bdc = fc.nat(5);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('register' as const),
      og: fc.nat(1),
      essms: fc.uniqueArray(fc.nat(4), { minLength: 1, maxLength: 2 }),
      solution: fc.nat(1),
      referenced: fc.boolean(),
      twoEyes: fc.boolean(),
    }),
  },
  // two ordonnateurs (0, 1) and an operator (2), who may not validate
  { weight: 6, arbitrary: fc.record({ op: fc.constant('validate' as const), bdc, who: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reject' as const), bdc }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('attention' as const), bdc, retry: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('decide' as const),
      bdc,
      granted: fc.boolean(),
      daysAgo: fc.integer({ min: -2, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('dossier' as const), bdc, daysAgo: fc.integer({ min: -1, max: 3 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('va' as const),
      bdc,
      valid: fc.boolean(),
      invoicePercent: fc.constantFrom(10, 29, 100, 140),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), bdc }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('amend' as const), bdc, days: fc.integer({ min: -30, max: 30 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('receipt' as const), bdc, percent: fc.constantFrom(25, 50, 100, 120) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('settle' as const), bdc, writeOff: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('control' as const), percent: fc.constantFrom(30, 100, 150) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('recovery' as const),
      percent: fc.constantFrom(50, 100),
      writeOff: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('wait' as const), days: fc.constantFrom(1, 31, 120, 220) }) },
);

/** A refusal is an answer (the step changed nothing); anything else fails the property. */
const answered = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => {
      if (e instanceof RefusedError) return e.refusals[0]!.code;
      throw e;
    },
  );

let steps = 0;
let journeys = 0;

test('after every step of a random journey every money invariant holds; at its end reconciliation finds no difference', async () => {
  console.info(`money property: seed ${seed}, ${numRuns} journeys (PROPERTY_SEED=${seed} replays them)`);
  const engine = await h.engine();
  const now = async () => h.now();
  const today = async () => parisCivilDate(new Date(await now()));

  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 20 }), async (ops) => {
      journeys++;
      const run = randomUUID().slice(0, 6);
      const ogs = [freshFiness(), freshFiness()];
      const essms = Array.from({ length: 5 }, freshFiness);
      const solutions = [`sol-${run}-a`, `sol-${run}-b`];
      const bdcs: { bdcId: string; request: Awaited<ReturnType<typeof h.register>>['request'] }[] = [];
      const controls: string[] = [];
      const pick = (i: number) => bdcs[i % Math.max(1, bdcs.length)];
      const check = async () => {
        const t = await now();
        for (const { bdcId } of bdcs) {
          const violations = moneyViolations(await moneyOf(h, bdcId), t);
          if (violations.length) {
            const m = await moneyOf(h, bdcId);
            throw new Error(
              `${bdcId}: ${violations.join('; ')}${process.env.PROPERTY_TRACE ? ` ${m.record.status} ${JSON.stringify(m.proposals)} ${JSON.stringify(m.orders)}` : ''}`,
            );
          }
        }
      };

      for (const o of ops) {
        steps++;
        const b = 'bdc' in o ? pick(o.bdc) : undefined;
        if (process.env.PROPERTY_TRACE) process.stderr.write(`[property] ${JSON.stringify(o)} ${b?.bdcId ?? ''}\n`);
        const id = () => randomUUID();
        // a step that does not answer within its budget is a failure, said with where its BDC stood
        const step = async () => {
          switch (o.op) {
            case 'register': {
              const request = {
                ogFiness: ogs[o.og]!,
                essms: o.essms.map((i) => essms[i]!),
                solutionId: solutions[o.solution]!,
                solutionReferenced: o.referenced,
              };
              // a campaign whose threshold (1 000 €) is below the advance: two ordonnateurs validate each sum
              const campaign = o.twoEyes ? { fourEyesThresholdCents: 100_000 } : {};
              await h.register({ request, ogEssmsCount: 5, campaign }).then(
                (r) => bdcs.push(r),
                (e: unknown) => {
                  if (!(e instanceof RefusedError)) throw e;
                },
              );
              break;
            }
            case 'validate':
            case 'reject': {
              if (!b) break;
              const [pending] = await listProposals(engine, { bdcId: b.bdcId, state: 'proposed' });
              if (!pending) break;
              const decision = {
                process: pending.process,
                processId: pending.processId,
                proposalId: pending.id,
                eventId: id(),
              };
              const who = o.op === 'validate' ? (ordonnateurs[o.who] ?? harnessOperator) : ordonnateurs[0]!;
              await answered(
                o.op === 'validate'
                  ? validateProposal(engine, who, decision)
                  : rejectProposal(engine, who, { ...decision, reason: 'propriété' }),
              );
              break;
            }
            case 'attention':
              if (b)
                await answered(
                  resolveAttention(engine, harnessOperator, b.bdcId, {
                    eventId: id(),
                    decision: o.retry ? 'retry' : 'cancel',
                    reason: 'propriété',
                  }),
                );
              break;
            case 'decide':
              if (b)
                await answered(
                  decideForBdc(engine, harnessOperator, b.bdcId, {
                    eventId: id(),
                    decision: o.granted ? 'granted' : 'refused',
                    decidedOn: addCalendarDays(await today(), -o.daysAgo),
                  }),
                );
              break;
            case 'dossier':
              if (b)
                await answered(
                  fileDossier(engine, harnessOperator, b.bdcId, {
                    eventId: id(),
                    filedOn: addCalendarDays(await today(), -o.daysAgo),
                  }),
                );
              break;
            case 'va':
              if (b) {
                const editeur = {
                  actor: editeurActor(b.request.editeurId),
                  scope: `editeur.${b.request.editeurId}`,
                  editeurId: b.request.editeurId,
                };
                const body = vaRequestBody(
                  b.request,
                  new Date((await now()) - 60_000).toISOString(),
                  Math.round((584_000 * o.invoicePercent) / 100),
                );
                if (!o.valid) body.va.essms[0]!.duiDeployed = false;
                await answered(submitVa(engine, editeur, b.bdcId, { ...body, eventId: id() }));
              }
              break;
            case 'cancel':
              if (b)
                await answered(cancelBdc(engine, harnessOperator, b.bdcId, { eventId: id(), reason: 'propriété' }));
              break;
            case 'amend':
              if (b) {
                const closing = new Date((await now()) + 100 * DAY + o.days * DAY).toISOString();
                await answered(
                  h.send(b.bdcId, bdcMessages.calendarAmended, {
                    eventId: id(),
                    actor: harnessOperator.actor,
                    closing,
                    reason: 'avenant',
                  }),
                );
              }
              break;
            case 'receipt':
              if (b) {
                const { amounts } = await h.state(b.bdcId);
                const cents = Math.round((amounts.toReimburseCents * o.percent) / 100);
                if (cents > 0)
                  await answered(
                    recordReimbursement(engine, harnessOperator, b.bdcId, {
                      eventId: id(),
                      amountCents: cents,
                      receivedOn: await today(),
                    }),
                  );
              }
              break;
            case 'settle':
              if (b)
                await answered(
                  settleReimbursement(engine, harnessOperator, b.bdcId, {
                    eventId: id(),
                    decision: o.writeOff ? 'write_off' : 'escalate',
                    reason: 'propriété',
                  }),
                );
              break;
            case 'control': {
              const draw = await drawControls(engine, harnessOperator, {
                eventId: id(),
                seed: id(),
                size: 1,
                assignedTo: 'c',
                documents: ['contrat'],
                documentsDueOn: addCalendarDays(await today(), 10),
                recoveryDueDays: 30,
              }).catch((e: unknown) => {
                if (e instanceof RefusedError) return undefined;
                throw e;
              });
              const drawn = draw?.sample[0];
              if (!drawn) break;
              const controlId = `control:${draw.drawId}:${drawn.bdcId}`;
              const opened = await eventually(
                async () => {
                  const c = await controlState(engine, controlId);
                  return c.version > 0 && c;
                },
                { what: `${controlId} opened` },
              );
              controls.push(controlId);
              if (!bdcs.some((x) => x.bdcId === drawn.bdcId))
                bdcs.push({ bdcId: drawn.bdcId, request: (await h.state(drawn.bdcId)).request });
              const recoveryCents = Math.max(1, Math.round((opened.heldCents * o.percent) / 100));
              await answered(
                decideControl(engine, harnessOperator, controlId, {
                  eventId: id(),
                  outcome: 'failed',
                  findings: 'propriété',
                  reasons: ['pièce manquante'],
                  recoveryCents,
                }),
              );
              break;
            }
            case 'recovery': {
              const controlId = controls.at(-1);
              if (!controlId) break;
              const c = await controlState(engine, controlId);
              if (!c.recovery) break;
              if (o.writeOff)
                await answered(
                  settleRecovery(engine, harnessOperator, controlId, {
                    eventId: id(),
                    decision: 'write_off',
                    reason: 'propriété',
                  }),
                );
              else
                await answered(
                  recordRecoveryReceived(engine, harnessOperator, controlId, {
                    eventId: id(),
                    amountCents: Math.max(1, Math.round((c.recovery.amountCents * o.percent) / 100)),
                    receivedOn: await today(),
                  }),
                );
              break;
            }
            case 'wait':
              await h.env.sleep(o.days * DAY);
              break;
          }
        };
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          step(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () =>
                void (b ? h.state(b.bdcId) : Promise.resolve(undefined)).then(
                  (st) => reject(new Error(`${JSON.stringify(o)} unanswered after 90 s; BDC ${st?.status ?? '—'}`)),
                  reject,
                ),
              90_000,
            );
          }),
        ]).finally(() => clearTimeout(timer));
        await check();
      }
      if (process.env.PROPERTY_TRACE) process.stderr.write(`[property] reconciliation\n`);
      const differences = (await reconcileLedger(engine, { graceMs: 0 })).differences.filter(
        (d) =>
          bdcs.some((x) => x.bdcId === d.bdcId) &&
          !['workflow_missing', 'workflow_unexpected', 'temporal_unavailable'].includes(d.kind),
      );
      if (process.env.PROPERTY_TRACE) process.stderr.write(`[property] ${JSON.stringify(differences)}\n`);
      expect(differences).toEqual([]);
    }),
    {
      seed,
      numRuns,
      ...(process.env.PROPERTY_PATH ? { path: process.env.PROPERTY_PATH } : {}),
      endOnFailure: false,
      // A journey that hangs costs its step's 90 s at every shrink: seed 127432978 shrank past Jest's
      // half hour and CI printed no counterexample. Past the budget no journey starts: a failure found
      // is reported with its shrinking so far; a busy machine runs fewer journeys (counted below).
      plugins: [fc.interruptAfterTimeLimit(budgetMs)],
    },
  );
  console.info(`money property: ${journeys} journeys, ${steps} steps, every invariant held`);
});
