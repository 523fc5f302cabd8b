import { canonical, sha256Hex } from '../domain/journal-chain';
import { journal } from './journal';
import type { Sql, Tx } from './sql';

/**
 * The facts the journal holds, each kind read from the table that keeps it by one SELECT: the same
 * SELECT gives the entry's content when the fact is written (`journalFacts`, in the writer's
 * transaction) and the fact as it stands when the journal is verified (client/journal-verify.ts), so
 * an UPDATE or a DELETE behind the engine's back shows as a fact that no longer matches its entry.
 * A fact that changes by design (a BDC's state, its claims, a solution) is `latest`: its latest entry
 * describes it. A fact stored elsewhere later (a validation, a release, a bank answer, people, role
 * grants, bank details) is one more kind here and one `journalFacts` call where it is written.
 */

type ColumnType = 'text' | 'int' | 'bool' | 'ts' | 'json' | 'texts' | 'digest';

export interface FactKind {
  kind: string;
  /** the table, or a subquery with its alias */
  from: string;
  /** which rows are facts of this kind */
  where?: string;
  /** SQL naming the fact within its kind (the journal's subject) */
  subject: string;
  /** SQL of the BDC it belongs to, if any */
  bdcId?: string;
  /** the key the verification pages the table by */
  pk: string[];
  /** the content's fields: [name, type, SQL when not the column itself] */
  columns: [string, ColumnType, string?][];
  latest?: boolean;
  /** the content of a `latest` fact whose rows are gone by design (claims released) */
  absent?: (subject: string) => Record<string, unknown>;
}

const audit = (id: string): FactKind['columns'] => [
  [id, 'text'],
  ['seq', 'int'],
  ['at', 'ts'],
  ['kind', 'text'],
  ['what', 'text'],
  ['actor_role', 'text'],
  // a person is journaled by its id (actor_id); its name is the `person` fact's, not repeated here
  ['actor_id', 'text'],
  ['event_id', 'text'],
  ['message_key', 'text'],
  ['params', 'json'],
];

export const factKinds: FactKind[] = [
  {
    kind: 'bdc.registered',
    from: 'bdcs',
    subject: 'bdc_id',
    bdcId: 'bdc_id',
    pk: ['bdc_id'],
    columns: [
      ['bdc_id', 'text'],
      ['editeur_id', 'text'],
      ['reference', 'text'],
      ['campaign_id', 'text'],
      ['solution_id', 'text'],
      ['og_finess', 'text'],
      ['essms', 'texts'],
      ['ceiling_cents', 'int'],
      ['finess_extraction_id', 'int'],
      ['registration_event_id', 'text'],
      ['registration_hash', 'text'],
      ['registered_at', 'ts'],
    ],
  },
  {
    kind: 'bdc.state',
    from: 'bdcs',
    where: 'state IS NOT NULL',
    subject: 'bdc_id',
    bdcId: 'bdc_id',
    pk: ['bdc_id'],
    latest: true,
    columns: [
      ['bdc_id', 'text'],
      ['status', 'text'],
      ['version', 'int'],
      // the state's digest: the audit lines tell what happened, the digest proves the state read
      ['state_sha256', 'digest', 'state'],
      ['running', 'bool'],
      ['next_deadline_at', 'ts'],
      ['closing_at', 'ts'],
      ['closing_state', 'text'],
      ['reimbursement_overdue', 'bool'],
      ['advance_paid_cents', 'int'],
      ['paid_cents', 'int'],
      ['to_reimburse_cents', 'int'],
      ['reimbursed_cents', 'int'],
    ],
  },
  {
    kind: 'bdc.audit',
    from: 'bdc_audit',
    subject: "bdc_id || '#' || seq",
    bdcId: 'bdc_id',
    pk: ['bdc_id', 'seq'],
    columns: audit('bdc_id'),
  },
  {
    kind: 'bdc.refused',
    from: 'refused_events',
    subject: 'id::text',
    bdcId: 'bdc_id',
    pk: ['id'],
    columns: [
      ['id', 'int'],
      ['bdc_id', 'text'],
      ['event_id', 'text'],
      ['kind', 'text'],
      ['actor_role', 'text'],
      ['actor_id', 'text'],
      ['refusals', 'json'],
      ['at', 'ts'],
    ],
  },
  {
    kind: 'ledger.payment_order',
    from: 'payment_orders',
    subject: 'idempotency_key',
    bdcId: 'bdc_id',
    pk: ['id'],
    columns: [
      ['id', 'int'],
      ['idempotency_key', 'text'],
      ['bdc_id', 'text'],
      ['kind', 'text'],
      ['amount_cents', 'int'],
      ['issued_at', 'ts'],
    ],
  },
  {
    kind: 'ledger.demand',
    from: 'reimbursement_demands',
    subject: 'idempotency_key',
    bdcId: 'bdc_id',
    pk: ['id'],
    columns: [
      ['id', 'int'],
      ['idempotency_key', 'text'],
      ['bdc_id', 'text'],
      ['kind', 'text'],
      ['control_id', 'text'],
      ['amount_cents', 'int'],
      ['reason', 'text'],
      ['due_at', 'ts'],
      ['issued_at', 'ts'],
    ],
  },
  {
    kind: 'ledger.receipt',
    from: 'reimbursement_receipts',
    subject: 'idempotency_key',
    bdcId: 'bdc_id',
    pk: ['id'],
    columns: [
      ['id', 'int'],
      ['idempotency_key', 'text'],
      ['bdc_id', 'text'],
      ['demand_id', 'int'],
      ['amount_cents', 'int'],
      ['received_at', 'ts'],
      ['recorded_at', 'ts'],
    ],
  },
  {
    kind: 'ledger.write_off',
    from: 'demand_write_offs',
    subject: 'idempotency_key',
    bdcId: 'bdc_id',
    pk: ['id'],
    columns: [
      ['id', 'int'],
      ['idempotency_key', 'text'],
      ['bdc_id', 'text'],
      ['demand_id', 'int'],
      ['amount_cents', 'int'],
      ['reason', 'text'],
      ['written_off_at', 'ts'],
    ],
  },
  {
    kind: 'ledger.claims',
    from: `(SELECT bdc_id, array_agg(vague || ':' || essms_finess ORDER BY vague, essms_finess) AS claims FROM essms_claims GROUP BY bdc_id) c`,
    subject: 'bdc_id',
    bdcId: 'bdc_id',
    pk: ['bdc_id'],
    latest: true,
    columns: [
      ['bdc_id', 'text'],
      ['claims', 'texts'],
    ],
    // released claims leave no row: the latest entry says none
    absent: (subject) => ({ bdc_id: subject, claims: [] }),
  },
  {
    kind: 'notification',
    from: 'notifications',
    subject: "notification_id || '#' || channel",
    bdcId: 'bdc_id',
    pk: ['notification_id', 'channel'],
    columns: [
      ['notification_id', 'text'],
      ['channel', 'text'],
      ['party', 'text'],
      ['party_id', 'text'],
      ['bdc_id', 'text'],
      ['template', 'text'],
      ['subject', 'text'],
      ['body', 'text'],
      ['payload', 'json'],
      ['address', 'text'],
      ['created_at', 'ts'],
    ],
  },
  {
    kind: 'control.draw',
    from: 'control_draws',
    subject: 'draw_id',
    pk: ['draw_id'],
    columns: [
      ['draw_id', 'text'],
      ['seed', 'text'],
      ['params', 'json'],
      ['population', 'int'],
      ['population_digest', 'text'],
      ['drawn_by', 'text'],
      ['drawn_at', 'ts'],
    ],
  },
  {
    kind: 'control.opened',
    from: 'controls',
    subject: 'control_id',
    bdcId: 'bdc_id',
    pk: ['control_id'],
    columns: [
      ['control_id', 'text'],
      ['draw_id', 'text'],
      ['bdc_id', 'text'],
      ['stratum', 'text'],
      ['rank', 'text'],
    ],
  },
  {
    kind: 'control.state',
    from: 'controls',
    subject: 'control_id',
    bdcId: 'bdc_id',
    pk: ['control_id'],
    latest: true,
    columns: [
      ['control_id', 'text'],
      ['status', 'text'],
      ['version', 'int'],
      ['state_sha256', 'digest', 'state'],
      ['overdue', 'bool'],
      ['recovery_cents', 'int'],
      ['recovered_cents', 'int'],
      ['written_off_cents', 'int'],
    ],
  },
  {
    kind: 'control.audit',
    from: 'control_audit',
    subject: "control_id || '#' || seq",
    bdcId: '(SELECT c.bdc_id FROM controls c WHERE c.control_id = control_audit.control_id)',
    pk: ['control_id', 'seq'],
    columns: audit('control_id'),
  },
  {
    kind: 'solution',
    from: 'solutions',
    subject: 'solution_id',
    pk: ['solution_id'],
    latest: true,
    columns: [
      ['solution_id', 'text'],
      ['editeur_id', 'text'],
      ['state', 'text'],
      ['decided_on', 'text', 'decided_on::text'],
      ['decision_event_id', 'text'],
      ['decided_by', 'text'],
    ],
  },
  {
    // what its éditeur calls a solution, renamed at will: its latest entry
    kind: 'solution.name',
    from: 'solution_names',
    subject: 'solution_id',
    pk: ['solution_id'],
    latest: true,
    columns: [
      ['solution_id', 'text'],
      ['name', 'text'],
      ['named_by', 'text'],
      ['named_at', 'ts'],
    ],
  },
  {
    // persons, not tokens: who a person is (as its provider last said) and whether it may act
    kind: 'person',
    from: 'people',
    subject: 'person_id',
    pk: ['person_id'],
    latest: true,
    columns: [
      ['person_id', 'text'],
      ['issuer', 'text'],
      ['subject', 'text'],
      ['given_name', 'text'],
      ['usual_name', 'text'],
      ['email', 'text'],
      ['siret', 'text'],
      ['status', 'text'],
      ['disabled_by', 'text'],
      ['disabled_reason', 'text'],
    ],
  },
  {
    // a role granted, then revoked: the same fact, its latest entry
    kind: 'role_grant',
    from: 'role_grants',
    subject: 'grant_id::text',
    pk: ['grant_id'],
    latest: true,
    columns: [
      ['grant_id', 'int'],
      ['person_id', 'text'],
      ['role', 'text'],
      ['editeur_id', 'text'],
      ['granted_by', 'text'],
      ['granted_at', 'ts'],
      ['revoked_by', 'text'],
      ['revoked_at', 'ts'],
      ['revoke_reason', 'text'],
    ],
  },
  {
    // four eyes: who proposed a sum, who validated or rejected it (DOMAIN.md "Money decided by four eyes")
    kind: 'money.proposal',
    from: 'money_proposals',
    subject: "process || ':' || process_id || ':' || proposal_id",
    bdcId: 'bdc_id',
    pk: ['process', 'process_id', 'proposal_id'],
    latest: true,
    columns: [
      ['process', 'text'],
      ['process_id', 'text'],
      ['proposal_id', 'text'],
      ['bdc_id', 'text'],
      ['kind', 'text'],
      ['amount_cents', 'int'],
      ['state', 'text'],
      ['proposed_at', 'ts'],
      ['proposed_by', 'json'],
      ['caused_by', 'json'],
      ['validations_needed', 'int'],
      ['validations', 'json'],
      ['rejection', 'json'],
    ],
  },
  {
    // an éditeur's enrolment, each version submitted (db/migrations/015)
    kind: 'editeur.enrolment',
    from: 'editeur_enrolments',
    subject: "editeur_id || '#' || version",
    pk: ['editeur_id', 'version'],
    columns: [
      ['editeur_id', 'text'],
      ['version', 'int'],
      ['siret', 'text'],
      ['name', 'text'],
      ['legal_representative', 'json'],
      ['mandate', 'json'],
      ['vat_attestation', 'text'],
      ['submitted_at', 'ts'],
      ['submitted_by', 'json'],
      ['event_id', 'text'],
    ],
  },
  {
    // bank details: proposed, then validated (in force until superseded) or rejected — four eyes
    kind: 'editeur.bank_details',
    from: 'bank_details',
    subject: 'id::text',
    pk: ['id'],
    latest: true,
    columns: [
      ['id', 'int'],
      ['editeur_id', 'text'],
      ['iban', 'text'],
      ['bic', 'text'],
      ['holder', 'text'],
      ['state', 'text'],
      ['proposed_at', 'ts'],
      ['proposed_by', 'json'],
      ['proposal_event_id', 'text'],
      ['decided_at', 'ts'],
      ['decided_by', 'json'],
      ['decision_event_id', 'text'],
      ['rejection_reason', 'text'],
      ['valid_from', 'ts'],
      ['valid_until', 'ts'],
    ],
  },
  {
    // a payment order's state once it moved after its validation: released (in a run), paid or
    // rejected by the bank, validated again (an order written and never moved is its ledger fact)
    kind: 'payment.order_state',
    from: 'payment_orders',
    where:
      "(state <> 'validated' OR EXISTS (SELECT 1 FROM payment_order_events e WHERE e.order_id = payment_orders.id))",
    subject: 'idempotency_key',
    bdcId: 'bdc_id',
    pk: ['id'],
    latest: true,
    columns: [
      ['id', 'int'],
      ['state', 'text'],
      ['run_id', 'text'],
      ['state_at', 'ts'],
    ],
  },
  {
    kind: 'payment.order_event',
    from: 'payment_order_events',
    subject: "order_id || '#' || seq",
    bdcId: '(SELECT o.bdc_id FROM payment_orders o WHERE o.id = payment_order_events.order_id)',
    pk: ['order_id', 'seq'],
    columns: [
      ['order_id', 'int'],
      ['seq', 'int'],
      ['at', 'ts'],
      ['state', 'text'],
      ['actor', 'json'],
      ['run_id', 'text'],
      ['reason', 'text'],
      ['event_id', 'text'],
    ],
  },
  {
    // a payment run as released: the file's own digest, computed from the stored text, proves the file
    kind: 'payment.run',
    from: 'payment_runs',
    subject: 'run_id',
    pk: ['run_id'],
    columns: [
      ['run_id', 'text'],
      ['message_id', 'text'],
      ['released_at', 'ts'],
      ['released_by', 'json'],
      ['execution_date', 'text', 'execution_date::text'],
      ['debtor', 'json'],
      ['transfers', 'int'],
      ['control_sum_cents', 'int'],
      ['file_sha256', 'text', "encode(sha256(convert_to(file, 'UTF8')), 'hex')"],
    ],
  },
  {
    kind: 'payment.transfer',
    from: 'payment_transfers',
    subject: "run_id || '#' || order_id",
    bdcId: '(SELECT o.bdc_id FROM payment_orders o WHERE o.id = payment_transfers.order_id)',
    pk: ['run_id', 'order_id'],
    latest: true,
    columns: [
      ['run_id', 'text'],
      ['order_id', 'int'],
      ['end_to_end_id', 'text'],
      ['amount_cents', 'int'],
      ['bank_details_id', 'int'],
      ['outcome', 'text'],
      ['reason_code', 'text'],
      ['answered_at', 'ts'],
      ['answered_by', 'json'],
      ['answer_source', 'text'],
      ['answer_message_id', 'text'],
    ],
  },
  {
    kind: 'payment.status_report',
    from: 'bank_status_reports',
    subject: 'message_id',
    pk: ['message_id'],
    columns: [
      ['message_id', 'text'],
      ['run_id', 'text'],
      ['received_at', 'ts'],
      ['recorded_by', 'json'],
      ['file_sha256', 'text'],
      ['transfers', 'int'],
    ],
  },
];

export type FactKindName = (typeof factKinds)[number]['kind'];
const byName = new Map(factKinds.map((k) => [k.kind, k]));
export const factKind = (name: string): FactKind => {
  const k = byName.get(name);
  if (!k) throw new Error(`no fact kind ${name}`);
  return k;
};

const parseJson = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

/** One field as the journal keeps it: the same whatever driver read it (PostgreSQL, PGlite). */
function normalize(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'text':
      return String(v);
    case 'int':
      return Number(v);
    case 'bool':
      return Boolean(v);
    case 'ts':
      return (v instanceof Date ? v : new Date(String(v))).toISOString();
    case 'json':
      return parseJson(v);
    case 'texts':
      return (v as unknown[]).map(String);
    case 'digest':
      return sha256Hex(canonical(parseJson(v)));
  }
}

/** The SELECT list of a kind: its subject, its BDC, its fields. */
export const selectList = (k: FactKind) =>
  [
    `${k.subject} AS "$subject"`,
    `${k.bdcId ?? 'NULL'} AS "$bdc"`,
    ...k.columns.map(([name, , expr]) => `${expr ?? name} AS "${name}"`),
  ].join(', ');

export interface FactRow {
  subject: string;
  bdcId?: string;
  content: Record<string, unknown>;
}

export function readFact(k: FactKind, r: Record<string, unknown>): FactRow {
  return {
    subject: String(r.$subject),
    ...(r.$bdc ? { bdcId: String(r.$bdc) } : {}),
    content: Object.fromEntries(k.columns.map(([name, type]) => [name, normalize(type, r[name])])),
  };
}

/** The facts of a kind that `filter` selects (SQL over its columns, with `params`). */
export async function readFacts(sql: Sql, kind: string, filter: string, params: unknown[]): Promise<FactRow[]> {
  const k = factKind(kind);
  const rows = await sql.query(
    `SELECT ${selectList(k)} FROM ${k.from} WHERE ${[k.where, filter].filter(Boolean).join(' AND ')} ORDER BY ${k.pk.join(', ')}`,
    params,
  );
  return rows.map((r) => readFact(k, r));
}

/**
 * Journals the facts of a kind a writer has just written (`filter` selects them), read back as the
 * database holds them, in the writer's transaction. Answers how many.
 */
export async function journalFacts(tx: Tx, kind: string, filter: string, params: unknown[]): Promise<number> {
  const facts = await readFacts(tx, kind, filter, params);
  for (const f of facts) journal.append(tx, { kind, ...f });
  return facts.length;
}

/** The claims of a BDC as they stand (none once released): its claims' entry. */
export async function journalClaims(tx: Tx, bdcId: string): Promise<void> {
  if (!(await journalFacts(tx, 'ledger.claims', 'bdc_id = $1', [bdcId])))
    journal.append(tx, {
      kind: 'ledger.claims',
      subject: bdcId,
      bdcId,
      content: factKind('ledger.claims').absent!(bdcId),
    });
}
