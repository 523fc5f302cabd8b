import {
  checkGrant,
  grantRole,
  oneselfRefusals,
  personName,
  revokeRole,
  setPersonStatus,
  type Person,
} from '../../client/people';
import { say, type Said } from '../../domain/messages';
import { refusalOf } from '../../domain/refusal';
import { personRoles, type PersonRole } from '../../domain/roles';
import { idSchema } from '../../domain/schemas';
import type { Confirmable } from '../actions';
import { fieldErrors } from '../http';
import { roleFr } from '../views/layout';
import { Input, Select } from '../views/ui';

/** What an admin does to a person from its page (console/actions.tsx: checked, confirmed, then sent). */
export type PersonAction<T> = Confirmable<T, Person>;

/** A field's problem, in French, where its refusal would be. */
const problem = (path: string, said: Said) => ({ errors: fieldErrors([refusalOf(said.key, said, path)]) });

// each action's fields have names of their own: one page draws them all, and a label names one field
const reasonOf = (values: Record<string, string>, name: string, label: string) => {
  const reason = (values[name] ?? '').trim();
  if (!reason) return problem(name, say('text_required', { label }));
  if (reason.length > 500) return problem(name, say('text_too_long', { label, max: 500 }));
  return { reason };
};

const roleOptions = (roles: readonly PersonRole[]): [string, string][] => [
  ['', '— Choisir —'],
  ...roles.map((r): [string, string] => [r, roleFr[r] ?? r]),
];

const grant: PersonAction<{ role: PersonRole; editeurId?: string }> = {
  slug: 'attribution',
  title: 'Attribuer un rôle',
  roles: ['admin'],
  offered: () => true,
  fields: (v, e) => (
    <>
      <Select name="role" label="Rôle" value={v.role} errors={e} required options={roleOptions(personRoles)} />
      <Input
        name="editeurId"
        label="Éditeur"
        hint="Pour le rôle Éditeur seulement : l’identifiant de l’éditeur pour lequel la personne agit"
        value={v.editeurId}
        errors={e}
      />
    </>
  ),
  parse(v) {
    const role = personRoles.find((r) => r === v.role);
    if (!role) return problem('role', say('choose_one', { label: 'le rôle' }));
    if (role !== 'editeur') return { value: { role } };
    if (!idSchema.safeParse(v.editeurId ?? '').success)
      return problem('editeurId', say('text_required', { label: 'L’identifiant de l’éditeur' }));
    return { value: { role, editeurId: v.editeurId! } };
  },
  describe: (x, p) =>
    `${personName(p)} recevra le rôle ${roleFr[x.role] ?? x.role}${x.editeurId ? ` (éditeur ${x.editeurId})` : ''}, dès sa prochaine page.`,
  check: (ctx, caller, p, x) => checkGrant(ctx, caller, p.personId, x),
  run: (ctx, caller, p, x) => grantRole(ctx, caller, p.personId, x),
  done: 'Le rôle est attribué : il vaut dès la prochaine page de la personne.',
};

const revocation: PersonAction<{ role: PersonRole; reason: string }> = {
  slug: 'retrait',
  title: 'Retirer un rôle',
  roles: ['admin'],
  offered: (p) => p.grants.length > 0,
  // the roles offered are the person's: the form is drawn for it (peopleActions)
  fields: () => null,
  parse(v) {
    const role = personRoles.find((r) => r === v.revokedRole);
    if (!role) return problem('revokedRole', say('choose_one', { label: 'le rôle à retirer' }));
    const reason = reasonOf(v, 'revokeReason', 'Le motif');
    return 'errors' in reason ? reason : { value: { role, reason: reason.reason } };
  },
  describe: (x, p) =>
    `${personName(p)} perd le rôle ${roleFr[x.role] ?? x.role} (motif : ${x.reason}), dès sa prochaine page.`,
  check: async (_ctx, caller, p) => oneselfRefusals(caller, p.personId),
  run: (ctx, caller, p, x) => revokeRole(ctx, caller, p.personId, x),
  done: 'Le rôle est retiré : il ne vaut plus dès la prochaine page de la personne.',
};

const statusChange = (status: Person['status']): PersonAction<{ status: Person['status']; reason: string }> => ({
  slug: status === 'disabled' ? 'desactivation' : 'reactivation',
  title: status === 'disabled' ? 'Désactiver la personne' : 'Réactiver la personne',
  roles: ['admin'],
  offered: (p) => p.status !== status,
  fields: (v, e) => <Input name="statusReason" label="Motif" value={v.statusReason} errors={e} required />,
  parse(v) {
    const reason = reasonOf(v, 'statusReason', 'Le motif');
    return 'errors' in reason ? reason : { value: { status, reason: reason.reason } };
  },
  describe: (x, p) =>
    status === 'disabled'
      ? `${personName(p)} ne pourra plus rien ouvrir dans SONS dès sa prochaine page (motif : ${x.reason}). Ses rôles sont conservés.`
      : `${personName(p)} retrouve ses rôles dès sa prochaine connexion (motif : ${x.reason}).`,
  check: async (_ctx, caller, p) => oneselfRefusals(caller, p.personId),
  run: (ctx, caller, p, x) => setPersonStatus(ctx, caller, p.personId, x),
  done: status === 'disabled' ? 'La personne est désactivée.' : 'La personne est réactivée.',
});

/** The actions on one person, its own roles offered for a revocation. */
export function peopleActions(person: Person): PersonAction<unknown>[] {
  const held = person.grants.map((g) => g.role);
  const revoke: PersonAction<unknown> = {
    ...(revocation as PersonAction<unknown>),
    fields: (v, e) => (
      <>
        <Select
          name="revokedRole"
          label="Rôle à retirer"
          value={v.revokedRole}
          errors={e}
          required
          options={roleOptions(held)}
        />
        <Input name="revokeReason" label="Motif du retrait" value={v.revokeReason} errors={e} required />
      </>
    ),
  };
  return [
    grant as PersonAction<unknown>,
    revoke,
    statusChange('disabled') as PersonAction<unknown>,
    statusChange('active') as PersonAction<unknown>,
  ].filter((a) => a.offered(person));
}

/** Every action's slug and what its page says once done (`?fait=…`). */
export const doneOf = (slug: string | undefined) =>
  [grant, revocation, statusChange('disabled'), statusChange('active')].find((a) => a.slug === slug)?.done;
