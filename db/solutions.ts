import { say } from '../domain/messages';
import { refuse } from '../domain/refusal';
import { journalFacts } from './journal-facts';
import type { Sql, Tx } from './sql';

export type SolutionState = 'pending' | 'granted' | 'refused';

export interface Solution {
  solutionId: string;
  editeurId: string;
  state: SolutionState;
  decidedOn?: string;
  decisionEventId?: string;
  decidedBy?: string;
  /** what its éditeur calls it (absent until named) */
  name?: string;
}

const read = (r: Record<string, unknown>): Solution => ({
  solutionId: String(r.solution_id),
  editeurId: String(r.editeur_id),
  state: r.state as SolutionState,
  ...(r.decided_on
    ? { decidedOn: (r.decided_on instanceof Date ? r.decided_on.toISOString() : String(r.decided_on)).slice(0, 10) }
    : {}),
  ...(r.decision_event_id ? { decisionEventId: String(r.decision_event_id) } : {}),
  ...(r.decided_by ? { decidedBy: String(r.decided_by) } : {}),
  ...(r.name ? { name: String(r.name) } : {}),
});

const WITH_NAME = 'SELECT s.*, n.name FROM solutions s LEFT JOIN solution_names n USING (solution_id)';

/**
 * The registry of solutions: référencement is a solution's state, granted or refused by the ANS.
 * A registration reads it under a shared lock and a decision writes it under the row's lock, so a
 * BDC registered in the same instant as a decision is either seen by the decision's batch or
 * registered with the decision already taken — never missed.
 */
export class Solutions {
  constructor(readonly sql: Sql) {}

  /** Within a registration's transaction: the solution's state, the solution recorded if new. */
  static async lockForRegistration(tx: Tx, solutionId: string, editeurId: string): Promise<Solution> {
    await Solutions.recordPending(tx, solutionId, editeurId);
    const [row] = await tx.query('SELECT * FROM solutions WHERE solution_id = $1 FOR SHARE', [solutionId]);
    const solution = read(row!);
    if (solution.editeurId !== editeurId)
      throw refuse(
        'solution_of_another_editeur',
        say('solution_of_another_editeur', { solutionId, editeurId: solution.editeurId }),
        'solutionId',
        solutionId,
      );
    return solution;
  }

  async get(solutionId: string): Promise<Solution | undefined> {
    const [row] = await this.sql.query(`${WITH_NAME} WHERE s.solution_id = $1`, [solutionId]);
    return row ? read(row) : undefined;
  }

  /** The solutions of one éditeur, or every one, with their names: by éditeur, then name or id. */
  async list(editeurId?: string): Promise<Solution[]> {
    const rows = await this.sql.query(
      `${WITH_NAME} WHERE $1::text IS NULL OR s.editeur_id = $1 ORDER BY s.editeur_id, coalesce(n.name, s.solution_id), s.solution_id`,
      [editeurId ?? null],
    );
    return rows.map(read);
  }

  /** The names solutions are known by, by id (the console's labels). */
  async names(): Promise<Map<string, string>> {
    const rows = await this.sql.query('SELECT solution_id, name FROM solution_names');
    return new Map(rows.map((r) => [String(r.solution_id), String(r.name)]));
  }

  /** Names a solution (its éditeur's word, checked by the caller), or renames it; journaled. */
  async name(solutionId: string, name: string, by: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO solution_names (solution_id, name, named_by) VALUES ($1, $2, $3)
         ON CONFLICT (solution_id) DO UPDATE SET name = excluded.name, named_by = excluded.named_by, named_at = now()`,
        [solutionId, name, by],
      );
      await journalFacts(tx, 'solution.name', 'solution_id = $1', [solutionId]);
    });
  }

  /**
   * Records the ANS's decision for a solution; answers whether it is new. The same decision again
   * (the same event, or another one) changes nothing; the other decision on a decided solution is
   * refused.
   */
  async decide(
    solutionId: string,
    d: { decision: 'granted' | 'refused'; decidedOn: string; eventId: string; actor: string; editeurId?: string },
  ): Promise<{ solution: Solution; created: boolean }> {
    return this.sql.transaction(async (tx) => {
      // a solution not yet known is made pending first, so that decisions arriving together queue on
      // its row lock instead of inserting it each (the first decides, the others find it decided)
      if (d.editeurId) await Solutions.recordPending(tx, solutionId, d.editeurId);
      const [row] = await tx.query('SELECT * FROM solutions WHERE solution_id = $1 FOR UPDATE', [solutionId]);
      if (!row) throw refuse('not_found', say('unknown_solution', { solutionId }), 'solutionId', solutionId);
      const current = read(row);
      if (current.state === d.decision) return { solution: current, created: false };
      if (current.state !== 'pending')
        throw refuse(
          'solution_already_decided',
          say('solution_already_decided', {
            solutionId,
            state: current.state,
            decidedOn: current.decidedOn ?? '',
            eventId: current.decisionEventId ?? '',
          }),
          'decision',
          d.decision,
        );
      const [updated] = await tx.query(
        'UPDATE solutions SET state = $2, decided_on = $3, decision_event_id = $4, decided_by = $5, updated_at = now() WHERE solution_id = $1 RETURNING *',
        [solutionId, d.decision, d.decidedOn, d.eventId, d.actor],
      );
      await journalFacts(tx, 'solution', 'solution_id = $1', [solutionId]);
      return { solution: read(updated!), created: true };
    });
  }

  /** A solution not yet known, recorded pending (and journaled); a known one is left as it is. */
  private static async recordPending(tx: Tx, solutionId: string, editeurId: string): Promise<void> {
    const [inserted] = await tx.query(
      "INSERT INTO solutions (solution_id, editeur_id, state) VALUES ($1, $2, 'pending') ON CONFLICT (solution_id) DO NOTHING RETURNING solution_id",
      [solutionId, editeurId],
    );
    if (inserted) await journalFacts(tx, 'solution', 'solution_id = $1', [solutionId]);
  }
}
