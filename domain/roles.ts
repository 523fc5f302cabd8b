import { say } from './messages';
import { refusalOf, type Refusal } from './refusal';

/**
 * Who acts, written once (DOMAIN.md "Money decided by four eyes"): the people's roles — `operator`
 * is the gestionnaire of DOMAIN.md (registers, records the ANS's decisions, amends the calendar),
 * `ordonnateur` validates money, `comptable` releases payments and records receipts, `controleur`
 * runs the a posteriori controls, `admin` manages people and reads histories, `editeur` acts for one
 * éditeur — and the engine itself, `system`, when a rule of a lifecycle acts.
 */
export const personRoles = ['operator', 'ordonnateur', 'comptable', 'controleur', 'admin', 'editeur'] as const;
export type PersonRole = (typeof personRoles)[number];

export const actorRoles = [...personRoles, 'system'] as const;
export type ActorRole = (typeof actorRoles)[number];

/** Who did something: a person in one of their roles (their id names them), or the engine. */
export interface Actor {
  role: ActorRole;
  id: string;
  /** a person's name as the audit trail shows it (absent: a service account, the engine, or a line from before people) */
  name?: string;
}

/**
 * Roles one person may not hold together: the ordonnateur establishes that a sum is due, the
 * comptable checks and pays it — incompatible functions (décret GBCP n° 2012-1246, art. 9).
 */
const incompatible: [PersonRole, PersonRole][] = [['ordonnateur', 'comptable']];

export const incompatibleWith = (role: PersonRole): PersonRole[] =>
  incompatible.flatMap(([a, b]) => (a === role ? [b] : b === role ? [a] : []));

/**
 * Whether a person holding `held` may be granted `role` (of `editeurId`, an éditeur's): `held` when it
 * holds it already, as asked; else what refuses it — the role of another éditeur, or a role the law
 * keeps apart from one it holds. The one rule: the grant applies it under its lock, the console says it
 * before a grant is confirmed.
 */
export function grantRefusal(
  held: readonly { role: PersonRole; editeurId?: string | undefined }[],
  role: PersonRole,
  editeurId?: string,
): 'held' | Refusal | undefined {
  const same = held.find((g) => g.role === role);
  if (same)
    return (same.editeurId ?? undefined) === editeurId
      ? 'held'
      : refusalOf('editeur_held', say('editeur_held', { editeurId: same.editeurId ?? '' }), 'editeurId', editeurId);
  const clash = held.find((g) => incompatibleWith(role).includes(g.role));
  return clash
    ? refusalOf('incompatible_roles', say('incompatible_roles', { role, held: clash.role }), 'role', role)
    : undefined;
}

/** The roles that decide or move money: a person takes their actions only with a second factor. */
export const moneyRoles: readonly PersonRole[] = ['ordonnateur', 'comptable'];

/** The roles in French, as exports name who acted (the engine itself included). */
export const actorRoleFr: Record<ActorRole, string> = {
  operator: 'Opérateur ASP',
  ordonnateur: 'Ordonnateur',
  comptable: 'Comptable',
  controleur: 'Contrôleur',
  admin: 'Administrateur',
  editeur: 'Éditeur',
  system: 'Moteur',
};
