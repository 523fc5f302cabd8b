import { auditTrail } from '../db/audit-trail';
import { parisDateTimeFr } from '../domain/french';
import { render } from '../domain/messages';
import { actorRoleFr } from '../domain/roles';
import type { EngineContext } from './context';
import { toFrenchCsv } from './exports';

/** The most lines one export holds: a longer period is exported in several (`from`, `to`). */
export const AUDIT_EXPORT_MAX_LINES = 100_000;

/**
 * The audit trail of the BDCs and their controls as a French CSV, one line per action: when, which
 * BDC (and control), what in words, in which role, and who — a person by its id and, beside it, its
 * name; a service account or the engine by its id alone.
 */
export async function auditTrailCsvFr(ctx: EngineContext, scope: { from?: string; to?: string; bdcId?: string } = {}) {
  const lines = await auditTrail(ctx.sql, { ...scope, limit: AUDIT_EXPORT_MAX_LINES });
  return toFrenchCsv(lines, [
    { header: 'Date', value: (l) => parisDateTimeFr(l.entry.at) },
    { header: 'BDC', value: (l) => l.bdcId },
    { header: 'Contrôle', value: (l) => l.controlId ?? '' },
    {
      header: 'Action',
      value: (l) => (l.entry.key ? render(l.entry.key, l.entry.params, 'fr') : undefined) ?? l.entry.what,
    },
    { header: 'Rôle', value: (l) => actorRoleFr[l.entry.by.role] ?? l.entry.by.role },
    { header: 'Identifiant de l’auteur', value: (l) => l.entry.by.id },
    { header: 'Nom de l’auteur', value: (l) => l.entry.by.name ?? '' },
  ]);
}
