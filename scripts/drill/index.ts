import { ordonnateursOverApi } from '../ordonnateurs';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import pg from 'pg';
import { projectRoot } from '../../config/paths';
import { boundToThisProcess } from '../../config/processes';
import { eventually } from '../eventually';
import { freePort } from '../free-port';
import { createLogger } from '../../config/logger';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import { shippedCampaigns } from '../../domain/campaigns';
import { temporalCliPath } from '../../temporal/binaries';
import { startDevServer, type DevServer } from '../../temporal/dev-server';
import { vaRequestBody } from '../samples/bdc';
import { consoleOpenApi } from './console-openapi';
import { personSession } from './console-session';
import { demoPeopleFile, startLocalProvider } from '../../identity/local-provider';
import { enrolOverApi } from '../samples/enrolment-over-api';
import { writeExtraction, type GeneratedOg } from '../samples/finess-extraction';

/**
 * `npm run drill` (run by .ci/run after the suite): the engine on PostgreSQL and a Temporal server,
 * a bounded load of BDCs driven through the API along every path — every event sent three times at
 * once — while the engine is SIGKILLed and restarted, the Temporal server killed and restarted, the
 * database's connections terminated and the database stopped for 30 s; then schemathesis against the
 * OpenAPI document with each role's token, and against the console's forms (urlencoded and multipart,
 * scripts/drill/console-openapi.ts) with an operator's and an éditeur's session. Then every BDC is checked: its final state as planned,
 * reconciliation without a difference, no payment twice, no event lost, no 5xx. Prints a table; exits
 * 1 when anything is off.
 */
const BDCS = Number(process.env.DRILL_BDCS ?? 80);
const OUTAGE_MS = Number(process.env.DRILL_DB_OUTAGE_MS ?? 30_000);
const SCHEMATHESIS = 'schemathesis==4.32.5';
const say = (line: string) => process.stderr.write(`[drill] ${line}\n`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Path = 'completed' | 'cancelled' | 'below-advance' | 'referencement';
const PATHS: Path[] = ['completed', 'cancelled', 'below-advance', 'referencement'];
const FINAL: Record<Path, string> = {
  completed: 'completed',
  cancelled: 'reimbursed',
  'below-advance': 'completed',
  referencement: 'completed',
};

interface Counters {
  requests: number;
  fiveHundreds: { status: number; path: string; body: string }[];
  retried: number;
}

async function main() {
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-drill-'));
  const [pgDir, adminUrl] = execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh')], {
    encoding: 'utf8',
  })
    .trim()
    .split(' ') as [string, string];
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE sons_drill');
  await admin.end();
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: '/sons_drill' }).toString();
  const ports = { temporal: await freePort(), api: await freePort() };
  const logger = createLogger('warn');
  const startTemporal = () =>
    startDevServer({
      cli: temporalCliPath()!,
      dataDir: path.join(work, 'temporal'),
      port: ports.temporal,
      uiPort: ports.temporal + 1,
      logger,
      headless: true,
    });
  let temporal: DevServer = await startTemporal();
  const api = `http://127.0.0.1:${ports.api}`;
  // people sign in to the console through an OpenID provider the engine is configured with, as in
  // production (here the local one, with the demo people); their roles are granted by an admin
  const consoleClient = { client_id: 'sons-console', client_secret: randomBytes(24).toString('base64url') };
  const provider = await startLocalProvider({
    port: await freePort(),
    peopleFile: demoPeopleFile,
    clients: [
      {
        ...consoleClient,
        redirect_uris: [`${api}/console/connexion/retour`],
        post_logout_redirect_uris: [`${api}/console/connexion`],
      },
    ],
  });
  const engineData = path.join(work, 'engine');
  // the engine's log outlives the drill: what a 5xx was is read there
  const engineLog = path.join(os.tmpdir(), 'sons-drill-engine.log');
  fs.writeFileSync(engineLog, '');
  let engine: ChildProcess | undefined;
  const startEngine = () => {
    const log = fs.openSync(engineLog, 'a');
    // bound to the drill's life: a drill that fails mid-fault leaves no engine behind
    const [command, args] = boundToThisProcess(process.execPath, [path.join(projectRoot, 'dist', 'main', 'engine.js')]);
    engine = spawn(command, args, {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: temporal.address,
        DATABASE_URL: databaseUrl,
        DATA_DIR: engineData,
        API_PORT: String(ports.api),
        LOG_LEVEL: 'warn',
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: consoleClient.client_id,
        OIDC_CLIENT_SECRET: consoleClient.client_secret,
        CONSOLE_PUBLIC_URL: api,
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
  };
  const killEngine = async (signal: NodeJS.Signals) => {
    const e = engine!;
    const exited = new Promise((r) => e.once('exit', r));
    e.kill(signal);
    await exited;
  };
  // a restart waits for Temporal and the database: a generous budget, then the drill fails
  const ready = () =>
    eventually(
      () =>
        fetch(`${api}/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      { budgetMs: 300_000, everyMs: 200, what: 'the engine ready' },
    );
  const recovery: { fault: string; recoverySeconds: number }[] = [];
  const timedRecovery = async (fault: string, inject: () => Promise<void>) => {
    const t0 = Date.now();
    await inject();
    await ready();
    recovery.push({ fault, recoverySeconds: +((Date.now() - t0) / 1000).toFixed(1) });
    say(`${fault}: ready again after ${recovery.at(-1)!.recoverySeconds} s`);
  };

  const counters: Counters = { requests: 0, fiveHundreds: [], retried: 0 };
  let onDuty: ReturnType<typeof ordonnateursOverApi> | undefined;
  try {
    startEngine();
    await ready();
    const tokens = JSON.parse(fs.readFileSync(path.join(engineData, 'dev-credentials.json'), 'utf8')) as {
      operator: string;
      admin: string;
      editeur: string;
      ordonnateur: string;
      ordonnateur2: string;
    };
    // no order is validated for an éditeur not enrolled: the drill's éditeur enrols first
    await enrolOverApi(
      {
        url: api,
        editeurId: 'editeur-demo',
        editeurToken: tokens.editeur,
        editeurPerson: 'editeur-demo/demo-editeur',
        ordonnateurToken: tokens.ordonnateur,
      },
      'drill',
    );
    // money is decided by four eyes: two ordonnateurs on duty validate it over the API, through the faults
    onDuty = ordonnateursOverApi(api, [tokens.ordonnateur, tokens.ordonnateur2]);
    /** A call that outlives the faults: retried (same body, same event id) while the engine is away or answers 503. */
    const call = async (
      token: string,
      method: string,
      p: string,
      body?: unknown,
    ): Promise<{ status: number; body: Record<string, unknown> }> => {
      for (let attempt = 0; ; attempt++) {
        counters.requests++;
        const response = await fetch(`${api}${p}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).catch(() => undefined);
        // away, unavailable, or past the token's allowance of writes: sent again, the same, a little later
        if (response && response.status !== 503 && response.status !== 429) {
          const text = await response.text();
          if (response.status >= 500)
            counters.fiveHundreds.push({ status: response.status, path: p, body: text.slice(0, 300) });
          else return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
        }
        counters.retried++;
        await pause(Math.min(2_000, 200 * (attempt + 1)));
      }
    };
    /** Every event sent three times at once: all three must be answered alike. */
    const thrice = async (token: string, p: string, body: unknown) => {
      const answers = await Promise.all([0, 1, 2].map(() => call(token, 'POST', p, body)));
      if (answers.some((a) => a.status < 200 || a.status > 202))
        throw new Error(
          `${p}: three sends answered ${answers.map((a) => `${a.status} ${JSON.stringify(a.body).slice(0, 200)}`).join(' | ')}`,
        );
      return answers[0]!;
    };
    const statusOf = async (bdcId: string) =>
      (await call(tokens.operator, 'GET', `/bdcs/${encodeURIComponent(bdcId)}`)).body as {
        status: string;
        amounts: { toReimburseCents: number; reimbursedCents: number };
      };
    const until = (bdcId: string, status: string) =>
      eventually(
        async () => {
          const view = await statusOf(bdcId);
          if (view.status !== status) throw new Error(`${bdcId} is ${view.status}, never ${status}`);
          return view;
        },
        { budgetMs: 600_000, everyMs: 500 },
      );

    // reference data, a campaign around today, the référencée solution
    const today = parisCivilDate(new Date());
    const file = path.join(work, 'extraction.csv');
    const ogs = writeExtraction(file, { date: today, ogs: Array.from({ length: BDCS }, () => ({ eligible: 3 })) });
    const upload = await fetch(`${api}/finess/extractions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'text/csv' },
      body: fs.readFileSync(file),
    });
    if (upload.status !== 201) throw new Error(`FINESS import answered ${upload.status}`);
    const ms1 = shippedCampaigns.find((c) => c.id === 'vague1-ms1')!;
    await thrice(tokens.operator, '/campaigns', {
      ...ms1,
      finessExtraction: undefined,
      id: 'drill',
      label: 'Drill',
      openingDate: addCalendarDays(today, -30),
      orderDeadline: addCalendarDays(today, 30),
      closingDate: addCalendarDays(today, 200),
      sources: ['drill'],
    });
    await thrice(tokens.operator, '/solutions/drill-dui/referencement/decision', {
      eventId: 'drill-granted',
      decision: 'granted',
      decidedOn: today,
      editeurId: 'editeur-demo',
    });

    /** One BDC along its planned path; answers the events it had accepted (for the check that none was lost). */
    const drive = async (og: GeneratedOg, i: number) => {
      const plan = PATHS[i % PATHS.length]!;
      // an event delivered by a batch (a référencement decision) is recorded under the batch's event id
      const accepted: { kind: string; eventId: string; viaBatch?: true }[] = [];
      const request = {
        editeurId: 'editeur-demo',
        reference: `D-${i}`,
        campaignId: 'drill',
        solutionId: plan === 'referencement' ? `drill-next-${i}` : 'drill-dui',
        ogFiness: og.og,
        essms: og.essms.slice(0, 2),
        orderDate: today,
      };
      const registration = await thrice(tokens.operator, '/bdcs', { ...request, eventId: `reg-${i}` });
      const bdcId = registration.body.bdcId as string;
      accepted.push({ kind: 'registered', eventId: `reg-${i}` });
      const event = async (kind: string, token: string, suffix: string, body: object) => {
        const eventId = `${kind}-${i}`;
        await thrice(token, `/bdcs/${encodeURIComponent(bdcId)}/${suffix}`, { ...body, eventId });
        accepted.push({ kind, eventId, ...(kind === 'referencement_granted' ? { viaBatch: true as const } : {}) });
      };
      if (plan === 'referencement') {
        await until(bdcId, 'awaiting_referencement');
        await event('dossier_filed', tokens.editeur, 'referencement/dossier', { filedOn: today });
        await event('referencement_granted', tokens.operator, 'referencement/decision', {
          decision: 'granted',
          decidedOn: today,
        });
      }
      await until(bdcId, 'awaiting_va');
      const signedAt = new Date(Date.now() - 60_000).toISOString();
      if (plan === 'cancelled')
        await event('cancellation_requested', tokens.operator, 'cancellation', { reason: 'drill' });
      else {
        const { eventId: _ignored, ...va } = vaRequestBody(
          request,
          signedAt,
          plan === 'below-advance' ? 50_000 : 900_000,
        );
        await event('va_accepted', tokens.editeur, 'va', va);
      }
      if (plan === 'cancelled' || plan === 'below-advance') {
        const due = await until(bdcId, 'reimbursement_due');
        await event('reimbursement_received', tokens.operator, 'reimbursements', {
          amountCents: due.amounts.toReimburseCents - due.amounts.reimbursedCents,
          receivedOn: today,
        });
      }
      return { bdcId, plan, accepted };
    };

    say(`load: ${BDCS} BDCs along ${PATHS.length} paths, every event sent 3 times at once`);
    const limit = pLimit(10);
    const driving = Promise.all(ogs.map((og, i) => limit(() => drive(og, i))));
    // the faults, while the load runs
    const faults = (async () => {
      await pause(8_000);
      await timedRecovery('engine SIGKILLed, restarted', async () => {
        await killEngine('SIGKILL');
        startEngine();
      });
      await pause(6_000);
      await timedRecovery('engine SIGKILLed again, restarted', async () => {
        await killEngine('SIGKILL');
        startEngine();
      });
      await pause(6_000);
      await timedRecovery('Temporal server killed, restarted 5 s later', async () => {
        process.kill(temporal.pid, 'SIGKILL');
        await pause(5_000);
        temporal = await startTemporal();
      });
      await pause(6_000);
      await timedRecovery("database's connections terminated", async () => {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'sons_drill' AND pid <> pg_backend_pid()",
        );
        await c.end();
      });
      await pause(4_000);
      await timedRecovery(`database stopped ${OUTAGE_MS / 1000} s`, async () => {
        execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh'), 'halt', pgDir]);
        await pause(OUTAGE_MS);
        execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh'), 'resume', pgDir]);
      });
    })();
    const [driven] = await Promise.all([driving, faults]);
    for (const d of driven) await until(d.bdcId, FINAL[d.plan]);

    // the checks, from the engine's own record and ledger
    say('checking every BDC');
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    let lost = 0;
    let offPlan = 0;
    for (const d of driven) {
      const view = (await call(tokens.operator, 'GET', `/bdcs/${encodeURIComponent(d.bdcId)}`)).body as {
        status: string;
        audit: { kind: string; eventId?: string }[];
      };
      if (view.status !== FINAL[d.plan]) offPlan++;
      for (const e of d.accepted)
        if (!view.audit.some((a) => a.kind === e.kind && (e.viaBatch || a.eventId?.endsWith(`:${e.eventId}`)))) lost++;
    }
    const duplicated =
      ((
        await db.query(
          'SELECT count(*)::int AS n FROM (SELECT bdc_id, kind FROM payment_orders GROUP BY bdc_id, kind HAVING count(*) > 1) d',
        )
      ).rows[0].n as number) +
      ((
        await db.query(
          'SELECT count(*)::int AS n FROM (SELECT bdc_id FROM reimbursement_demands GROUP BY bdc_id HAVING count(*) > 1) d',
        )
      ).rows[0].n as number);
    const auditTwice = (
      await db.query(
        'SELECT count(*)::int AS n FROM (SELECT bdc_id, event_id FROM bdc_audit WHERE event_id IS NOT NULL GROUP BY bdc_id, event_id HAVING count(*) > 1) d',
      )
    ).rows[0].n as number;
    const paidAfterCancellation = (
      await db.query(
        "SELECT count(*)::int AS n FROM bdcs b JOIN payment_orders p USING (bdc_id) WHERE p.kind = 'balance' AND b.state->'cancellation' IS NOT NULL",
      )
    ).rows[0].n as number;
    await db.end();
    const reconciliation = (await call(tokens.admin, 'GET', '/ledger/reconciliation')).body as {
      bdcs: number;
      differences: unknown[];
    };

    // the console's sessions are opened first, while nothing else runs: the fuzzers block this process
    // for minutes, and the first request after them is the one most likely to meet a connection gone
    const sessions = {
      operator: await personSession(api, tokens.admin, {
        login: 'claire.martin',
        usualName: 'Martin',
        role: 'operator',
      }),
      editeur: await personSession(api, tokens.admin, {
        login: 'julie.moreau',
        usualName: 'Moreau',
        role: 'editeur',
        editeurId: 'editeur-demo',
      }),
    };
    say('schemathesis against /openapi.json, with each role');
    const fuzz = ['operator', 'admin', 'editeur'].map((role) =>
      schemathesis(`${api}/openapi.json`, [`Authorization: Bearer ${tokens[role as keyof typeof tokens]}`], role),
    );
    say("schemathesis against the console's forms, with an operator's and an éditeur's session");
    const consoleFuzz: typeof fuzz = [];
    for (const role of ['operator', 'editeur'] as const) {
      const session = sessions[role];
      const spec = path.join(work, `console-openapi-${role}.json`);
      fs.writeFileSync(
        spec,
        JSON.stringify(
          consoleOpenApi({
            csrf: session.csrf,
            bdcIds: driven.slice(0, 8).map((d) => d.bdcId),
            campaignIds: ['drill'],
            solutionIds: ['drill-dui'],
          }),
        ),
      );
      consoleFuzz.push(schemathesis(spec, [`Cookie: ${session.cookie}`], `console, ${role}`, api));
    }
    const fuzzCases = fuzz.reduce((n, f) => n + f.cases, 0);
    const consoleCases = consoleFuzz.reduce((n, f) => n + f.cases, 0);
    const fuzzFailures = [...fuzz, ...consoleFuzz].reduce((n, f) => n + f.serverErrors, 0);
    const fuzzerErrors = [...fuzz, ...consoleFuzz].reduce((n, f) => n + f.fuzzerErrors, 0);
    // an engine that died under the fuzzers would only show as requests refused: said outright
    // (a connection may fail once as this process comes back from minutes blocked on the fuzzers: tried again)
    const engineAlive =
      engine?.exitCode === null &&
      (await eventually(() => fetch(`${api}/health`).then((r) => r.ok), { budgetMs: 10_000, everyMs: 1_000 }).catch(
        () => false,
      ));

    const rows: [string, string | number][] = [
      ['load', `${BDCS} BDCs, ${driven.reduce((n, d) => n + d.accepted.length, 0)} events × 3 sends`],
      ['HTTP requests', counters.requests],
      ['requests retried (engine away or 503)', counters.retried],
      ['faults injected', recovery.length],
      ...recovery.map((r): [string, string] => [`  ${r.fault}`, `${r.recoverySeconds} s to ready`]),
      ['schemathesis cases (3 roles)', fuzzCases],
      ["schemathesis cases, console's forms (2 sessions)", consoleCases],
      ["schemathesis's own internal errors (not counted)", fuzzerErrors],
      ['BDCs not in their planned final state', offPlan],
      ['events lost', lost],
      ['payments or demands duplicated', duplicated],
      ['audit entries twice', auditTwice],
      ['balances paid after a cancellation', paidAfterCancellation],
      ['reconciliation differences', reconciliation.differences.length],
      ['5xx answers (drive + schemathesis, API and console)', counters.fiveHundreds.length + fuzzFailures],
      ['engine alive and healthy after the fuzzers', engineAlive ? 'yes' : 'NO'],
      ['duration', `${Math.round((Date.now() - started) / 1000)} s`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\nsons-engine drill\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`);
    for (const f of counters.fiveHundreds.slice(0, 5)) process.stdout.write(`  5xx: ${f.status} ${f.path} ${f.body}\n`);
    if (counters.fiveHundreds.length + fuzzFailures) {
      const failed = fs
        .readFileSync(engineLog, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"request failed"'))
        .slice(0, 5);
      process.stdout.write(
        `  the engine's log (${engineLog}):\n${failed.map((l) => `    ${l.slice(0, 1500)}`).join('\n')}\n`,
      );
    }
    if (reconciliation.differences.length)
      process.stdout.write(`  differences: ${JSON.stringify(reconciliation.differences.slice(0, 5))}\n`);
    const ok =
      offPlan +
        lost +
        duplicated +
        auditTwice +
        paidAfterCancellation +
        reconciliation.differences.length +
        counters.fiveHundreds.length +
        fuzzFailures ===
        0 && engineAlive;
    process.stdout.write(ok ? '  PASSED\n' : '  FAILED\n');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await onDuty?.stop();
    if (engine && engine.exitCode === null) await killEngine('SIGTERM');
    await temporal.stop().catch(() => undefined);
    await provider.stop().catch(() => undefined);
    execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh'), 'stop', pgDir]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * schemathesis (PyPI, in .tools/venv) against a schema (the API's URL, or a file with the base URL it
 * describes) with a caller's headers (a role's token, a console session's cookie): its cases, the 5xx
 * it found, and its own internal errors (a Python error of the fuzzer is not the engine's: reported,
 * not counted).
 */
function schemathesis(
  schema: string,
  headers: string[],
  role: string,
  baseUrl?: string,
): { cases: number; serverErrors: number; fuzzerErrors: number } {
  const venv = path.join(projectRoot, '.tools', 'venv');
  const bin = path.join(venv, 'bin', 'schemathesis');
  if (!fs.existsSync(bin)) {
    if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) execFileSync('python3', ['-m', 'venv', venv]);
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', SCHEMATHESIS], {
      stdio: 'inherit',
    });
  }
  const run = spawnSync(
    bin,
    [
      'run',
      schema,
      ...(baseUrl ? ['--url', baseUrl] : []),
      '--checks',
      'not_a_server_error',
      ...headers.flatMap((h) => ['-H', h]),
      '--max-examples',
      '15',
      '--phases',
      'examples,coverage,fuzzing',
      '--seed',
      '1',
      '--no-color',
      '--workers',
      '2',
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  const out = `${run.stdout}\n${run.stderr}`;
  const cases = Number(/(\d+) generated/.exec(out)?.[1] ?? 0);
  // no summary: the run itself failed, which counts against the drill
  const serverErrors = cases === 0 ? 1 : Number(/Server error: (\d+)/.exec(out)?.[1] ?? 0);
  const fuzzerErrors = Number(/Runtime Error: (\d+)/.exec(out)?.[1] ?? 0);
  if (serverErrors) process.stderr.write(`[drill] schemathesis (${role}) found problems:\n${out.slice(-4000)}\n`);
  else
    say(
      `schemathesis (${role}): ${cases} cases, no 5xx${fuzzerErrors ? `, ${fuzzerErrors} internal error(s) of the fuzzer` : ''}`,
    );
  return { cases, serverErrors, fuzzerErrors };
}

main().catch((err: unknown) => {
  process.stderr.write(`[drill] ${(err as Error).stack}\n`);
  process.exit(1);
});
