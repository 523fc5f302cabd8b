import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { AuditEntry, BdcRecord, BdcWorkflowInput } from '../../domain/bdc-view';
import { shippedCampaigns } from '../../domain/campaigns';
import { campaignDeadlines } from '../../domain/campaign';
import { withCheckDigit } from '../../domain/finess';
import { initialRecord } from '../../domain/lifecycle';
import { projectRoot } from '../../config/paths';
import { verifyJournal } from '../../client/journal-verify';
import { measureWithoutJournal } from '../../db/journal';
import { migrate } from '../../db/migrations';
import { openPglite } from '../../db/pglite';
import { openPostgres } from '../../db/postgres';
import { BdcRecords, bdcTable } from '../../db/record';
import { writeTransition } from '../../db/recorded';
import { Solutions } from '../../db/solutions';
import type { Sql } from '../../db/sql';
import { median, round, timed } from './measure';

/**
 * `npm run bench:journal` (and part of `npm run bench`): what the journal costs where it lives, in the
 * database transactions of the engine's writers — a BDC's registration (its row, claims, first audit
 * line, solution read under lock) and its transitions (the advance ordered: an audit line, the state,
 * a payment order; awaiting the VA: an audit line, the state) — with the journal and without it, on
 * PostgreSQL with fsync on (every commit durable, as in production: the head's lock is held through
 * the commit's flush, which is what serialises writers) and on PGlite. Writers run `WRITERS` BDCs at
 * once, each BDC's transitions one after the other (one BDC is one workflow). Temporal is left out:
 * it is the same with or without the journal, and its dev server caps the engine near 47 starts a
 * second here, far below any figure below.
 */
const BDCS = Number(process.env.BENCH_JOURNAL_BDCS ?? 400);
const RUNS = Number(process.env.BENCH_JOURNAL_RUNS ?? 3);
const WRITERS = (process.env.BENCH_JOURNAL_WRITERS ?? '1,8,32').split(',').map(Number);

let unique = 0;
const campaign = shippedCampaigns.find((c) => c.id === 'vague1-ms1')!;

/** What the intake hands the record for one BDC (client/intake.ts builds the same from a request). */
function registration(run: string) {
  const n = unique++;
  const reference = `BENCH-${run}-${n}`;
  const bdcId = `bdc:editeur-bench:${reference}`;
  const essms = [
    withCheckDigit(`75${String(n * 2).padStart(6, '0')}`),
    withCheckDigit(`75${String(n * 2 + 1).padStart(6, '0')}`),
  ];
  const now = new Date();
  const actor = { role: 'operator' as const, id: 'bench' };
  const input: BdcWorkflowInput = {
    bdcId,
    request: {
      editeurId: 'editeur-bench',
      reference,
      campaignId: campaign.id,
      solutionId: 'bench-dui',
      ogFiness: withCheckDigit('01000382'),
      essms,
      orderDate: campaign.openingDate,
    },
    campaign: {
      id: campaign.id,
      vague: campaign.vague,
      couloir: campaign.couloir,
      tranche: 'B',
      ogEssmsCount: 3,
      finessExtraction: 'FINESS extraction of 2022-01-03 (#1)',
      advanceRateBasisPoints: campaign.advanceRateBasisPoints,
      referencementDelayDays: campaign.referencementDelayDays,
      reimbursementDueDays: campaign.reimbursementDueDays,
      reminderOffsetsDays: campaign.reminderOffsetsDays,
    },
    ceilingCents: 584_000,
    referencement: 'granted',
    deadlines: campaignDeadlines(campaign),
    orderDayStartsAt: now.toISOString(),
    registeredBy: { eventId: `bench:${run}:${n}`, actor },
    registeredAt: now.toISOString(),
  } as BdcWorkflowInput;
  const record = initialRecord(input);
  const audit: AuditEntry = {
    seq: 0,
    at: now.toISOString(),
    kind: 'registered',
    what: 'registered: 2 ESSMS, ceiling 5840.00 €, tranche B',
    key: 'audit_registered',
    params: { essms: '2', ceilingCents: '584000', tranche: 'B' },
    by: actor,
    eventId: `bench:${run}:${n}`,
  };
  return {
    record,
    audit,
    registrationEventId: `bench:${run}:${n}`,
    registrationHash: `registration:${n.toString(36)}`,
    workflowInput: input,
  };
}

/** The two transitions that follow a registration of a référencée solution: the advance, then the wait for the VA. */
function transitions(record: BdcRecord) {
  const at = new Date().toISOString();
  const by = { role: 'operator' as const, id: 'workflow' };
  const advanced: BdcRecord = {
    ...record,
    version: record.version + 1,
    status: 'awaiting_va',
    amounts: { ...record.amounts, paidCents: 175_200 },
  };
  return [
    {
      process: 'bdc' as const,
      id: record.bdcId,
      bdcId: record.bdcId,
      record: advanced,
      audit: [{ seq: 1, at, kind: 'advance_ordered', what: 'advance ordered: 1752.00 €', by }],
      effects: [{ kind: 'paymentOrder' as const, order: 'advance' as const, amountCents: 175_200 }],
    },
    {
      process: 'bdc' as const,
      id: record.bdcId,
      bdcId: record.bdcId,
      record: { ...advanced, version: advanced.version + 1 },
      audit: [{ seq: 2, at, kind: 'awaiting_va', what: 'awaiting the VA', by }],
      effects: [],
    },
  ];
}

/** BDCS registrations, then their transitions, `writers` BDCs at a time: rates per second. */
async function rates(sql: Sql, writers: number, run: string) {
  const records = new BdcRecords(sql);
  const regs = Array.from({ length: BDCS }, () => registration(run));
  const inTurn = async (work: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = next++; i < BDCS; i = next++) await work(i);
      }),
    );
  };
  const [, registerMs] = await timed(() =>
    inTurn(
      async (i) =>
        void (await records.register({ solutionId: 'bench-dui', editeurId: 'editeur-bench' }, () => regs[i]!)),
    ),
  );
  const [, transitionMs] = await timed(() =>
    inTurn(async (i) => {
      for (const t of transitions(regs[i]!.record)) await writeTransition(sql, bdcTable, t);
    }),
  );
  return { registrations: (BDCS / registerMs) * 1000, transitions: ((2 * BDCS) / transitionMs) * 1000 };
}

async function measure(open: () => Promise<Sql>, writers: number) {
  const sides: Record<'with' | 'without', { registrations: number[]; transitions: number[] }> = {
    with: { registrations: [], transitions: [] },
    without: { registrations: [], transitions: [] },
  };
  for (let r = 0; r < RUNS; r++)
    for (const side of ['without', 'with'] as const) {
      const sql = await open();
      await migrate(sql);
      measureWithoutJournal(side === 'without');
      try {
        // the solution granted as the ANS's decision records it (journaled, like every fact)
        await new Solutions(sql).decide('bench-dui', {
          decision: 'granted',
          decidedOn: '2023-01-02',
          eventId: 'bench:decision',
          actor: 'bench',
          editeurId: 'editeur-bench',
        });
        const x = await rates(sql, writers, `${side}-${r}-${writers}`);
        sides[side].registrations.push(x.registrations);
        sides[side].transitions.push(x.transitions);
        if (side === 'with' && r === 0) {
          const [verified, ms] = await timed(() => verifyJournal(sql, {}));
          if (verified.mismatches.length)
            throw new Error(`the bench's journal does not verify: ${verified.mismatches[0]!.what}`);
          verificationPer1000 = round((ms / verified.entries) * 1000, 1);
        }
      } finally {
        measureWithoutJournal(false);
        await sql.close();
      }
    }
  const m = (xs: number[]) => round(median(xs));
  const cost = (w: number[], wo: number[]) => `${round((1 - median(w) / median(wo)) * 100, 1)} %`;
  return {
    writers,
    registrationsPerSecond: {
      without: m(sides.without.registrations),
      with: m(sides.with.registrations),
      cost: cost(sides.with.registrations, sides.without.registrations),
    },
    transitionsPerSecond: {
      without: m(sides.without.transitions),
      with: m(sides.with.transitions),
      cost: cost(sides.with.transitions, sides.without.transitions),
    },
  };
}
let verificationPer1000 = 0;

async function freshDatabase(adminUrl: string): Promise<string> {
  const name = `sons_bench_journal_${process.pid}_${unique++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
}

export async function journalFigures(postgresUrl: string) {
  const postgres = [];
  for (const writers of WRITERS)
    postgres.push(
      await measure(async () => openPostgres(await freshDatabase(postgresUrl), Math.max(writers, 2)), writers),
    );
  const postgresVerify = verificationPer1000;
  const pglite = await measure(() => openPglite(), 8);
  return {
    journal: {
      bdcs: BDCS,
      runs: RUNS,
      postgresFsyncOn: postgres,
      pglite,
      verificationMsPer1000Entries: { postgres: postgresVerify, pglite: verificationPer1000 },
    },
  };
}

/** Alone: a PostgreSQL server of its own with fsync on (the suite's runs with it off, for speed). */
async function main() {
  const script = path.join(projectRoot, 'scripts/test-postgres.sh');
  const [dir, url] = execFileSync('bash', [script], {
    encoding: 'utf8',
    env: { ...process.env, TEST_POSTGRES_FSYNC: 'on' },
  })
    .trim()
    .split(' ');
  try {
    const figures = await journalFigures(url!);
    process.stdout.write(
      `${JSON.stringify({ machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`, ...figures }, null, 2)}\n`,
    );
  } finally {
    execFileSync('bash', [script, 'stop', dir!]);
  }
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
