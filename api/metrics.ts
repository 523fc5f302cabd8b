import client from 'prom-client';
import type { EngineContext } from '../client/context';
import { journalStatus } from '../client/journal';

/**
 * The API's Prometheus metrics: its requests (count and latency per route and status), the Node
 * process, and the business as the engine's own record and ledger hold it — read when scraped, so
 * every API process answers the same figures. The worker's SDK metrics are served by the worker
 * itself (WORKER_METRICS_ADDRESS).
 */
export class ApiMetrics {
  readonly registry = new client.Registry();
  private readonly requests = new client.Counter({
    name: 'sons_api_requests_total',
    help: 'HTTP requests answered, per route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly latency = new client.Histogram({
    name: 'sons_api_request_duration_seconds',
    help: 'HTTP request duration, per route',
    labelNames: ['method', 'route'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(engine: EngineContext) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'sons_api_' });
    const bdcs = new client.Gauge({
      name: 'sons_bdcs',
      help: 'BDCs in the record, per campaign and status',
      labelNames: ['campaign', 'status'],
      registers: [this.registry],
    });
    const euros = new client.Gauge({
      name: 'sons_ledger_cents',
      help: 'Sums in the ledger, in cents: payment orders per kind (order_advance, order_balance), reimbursement demands, receipts',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    const entries = new client.Gauge({
      name: 'sons_ledger_entries',
      help: 'Entries in the ledger, per kind',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    const journal = new client.Gauge({
      name: 'sons_journal',
      help: 'The tamper-evident journal: entries (its head), entries signed by the last checkpoint, entries the last verification walked, and mismatch (1 when the last verification found one: alert on it)',
      labelNames: ['figure'],
      registers: [this.registry],
    });
    const journalTimes = new client.Gauge({
      name: 'sons_journal_last_seconds',
      help: 'Unix time of the journal’s last checkpoint, last verification and last verification that found nothing amiss',
      labelNames: ['event'],
      registers: [this.registry],
    });
    // the business figures are read at each scrape, from the record and the ledger (never from Temporal)
    this.collectBusiness = async () => {
      const [summary, totals, j] = await Promise.all([
        engine.money.totals(['campaign', 'status']),
        engine.ledger.totals(),
        journalStatus(engine),
      ]);
      journal.set({ figure: 'entries' }, j.head.seq);
      journal.set({ figure: 'checkpointed' }, j.lastCheckpoint?.seq ?? 0);
      journal.set({ figure: 'verified' }, j.lastVerification?.verifiedSeq ?? 0);
      journal.set({ figure: 'mismatch' }, j.lastVerification?.status === 'mismatch' ? 1 : 0);
      const seconds = (iso?: string) => (iso ? Date.parse(iso) / 1000 : 0);
      journalTimes.set({ event: 'checkpoint' }, seconds(j.lastCheckpoint?.signedAt));
      journalTimes.set({ event: 'verification' }, seconds(j.lastVerification?.finishedAt));
      journalTimes.set({ event: 'verified' }, seconds(j.lastSuccessfulVerification?.finishedAt));
      bdcs.reset();
      for (const line of summary) bdcs.inc({ campaign: line.campaign, status: line.status }, line.bdcs);
      euros.reset();
      entries.reset();
      for (const t of totals) {
        euros.set({ kind: t.kind }, t.cents);
        entries.set({ kind: t.kind }, t.count);
      }
    };
  }

  private readonly collectBusiness: () => Promise<void>;

  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  async text(): Promise<string> {
    await this.collectBusiness();
    return this.registry.metrics();
  }
}
