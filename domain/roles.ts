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

/** The roles that decide or move money: a person takes their actions only with a second factor. */
export const moneyRoles: readonly PersonRole[] = ['ordonnateur', 'comptable'];
