import fs from 'node:fs';
import { displayName, type Person, type PersonClaims } from '../db/people';
import { say } from '../domain/messages';
import { refusalOf, refuse, RefusedError, type Refusal } from '../domain/refusal';
import { grantRefusal, personRoles, type PersonRole } from '../domain/roles';
import type { Caller, EngineContext } from './context';

export type { Person } from '../db/people';

/** How a person is named on screens (its provider's names, else its email). */
export const personName = (p: Person) => displayName(p);

/** A person known to the engine with what it may do now: its live roles, its éditeur. */
export interface PersonAtWork {
  personId: string;
  name: string;
  roles: PersonRole[];
  editeurId?: string;
}

/** A person as it may act now: active, with at least one role; else why not. */
export function atWork(person: Person): PersonAtWork | { refused: 'person_disabled' | 'no_role' } {
  if (person.status !== 'active') return { refused: 'person_disabled' };
  const roles = person.grants.map((g) => g.role);
  if (!roles.length) return { refused: 'no_role' };
  const editeurId = person.grants.find((g) => g.role === 'editeur')?.editeurId;
  return { personId: person.personId, name: displayName(person), roles, ...(editeurId ? { editeurId } : {}) };
}

/** The person behind a session, as it stands at this request (a role revoked or a person disabled counts at once). */
export async function personNow(ctx: EngineContext, personId: string) {
  const person = await ctx.people.get(personId);
  return person ? atWork(person) : ({ refused: 'person_disabled' } as const);
}

export const listPeople = (ctx: EngineContext, filter: Parameters<EngineContext['people']['list']>[0] = {}) =>
  ctx.people.list(filter);

async function known(ctx: EngineContext, personId: string): Promise<Person> {
  const person = await ctx.people.get(personId);
  if (!person) throw refuse('not_found', say('unknown_person', { personId }), 'personId', personId);
  return person;
}

/**
 * Nobody changes their own roles or status: an admin who granted itself ordonnateur could then
 * validate money alone, one who revoked or disabled itself could leave nobody to administer.
 */
export const oneselfRefusals = (caller: Caller, personId: string): Refusal[] =>
  caller.actor.id === personId ? [refusalOf('own_person', say('own_person'), 'personId', personId)] : [];

function notOneself(caller: Caller, personId: string): void {
  const refusals = oneselfRefusals(caller, personId);
  if (refusals.length) throw new RefusedError(refusals);
}

/** An admin grants a role (an éditeur's role names its éditeur); a role incompatible with one held is refused. */
export async function grantRole(
  ctx: EngineContext,
  caller: Caller,
  personId: string,
  body: { role: PersonRole; editeurId?: string },
): Promise<Person> {
  notOneself(caller, personId);
  await known(ctx, personId);
  await ctx.people.grant(personId, body.role, caller.actor.id, body.role === 'editeur' ? body.editeurId : undefined);
  return known(ctx, personId);
}

/** What a grant would be refused for, said before an admin confirms it (the grant applies the same rule under its lock). */
export async function checkGrant(
  ctx: EngineContext,
  caller: Caller,
  personId: string,
  body: { role: PersonRole; editeurId?: string },
): Promise<Refusal[]> {
  const oneself = oneselfRefusals(caller, personId);
  if (oneself.length) return oneself;
  const person = await known(ctx, personId);
  const refusal = grantRefusal(person.grants, body.role, body.role === 'editeur' ? body.editeurId : undefined);
  return refusal && refusal !== 'held' ? [refusal] : [];
}

export async function revokeRole(
  ctx: EngineContext,
  caller: Caller,
  personId: string,
  body: { role: PersonRole; reason: string },
): Promise<Person> {
  notOneself(caller, personId);
  await known(ctx, personId);
  await ctx.people.revoke(personId, body.role, caller.actor.id, body.reason);
  return known(ctx, personId);
}

export async function setPersonStatus(
  ctx: EngineContext,
  caller: Caller,
  personId: string,
  body: { status: Person['status']; reason: string },
): Promise<Person> {
  notOneself(caller, personId);
  await known(ctx, personId);
  await ctx.people.setStatus(personId, body.status, caller.actor.id, body.reason);
  return known(ctx, personId);
}

/** A people file (identity/demo-people.json's form): who, with which claims and roles. */
export interface PeopleFile {
  people: (PersonClaims & { sub: string; roles: PersonRole[]; editeurId?: string })[];
}

/**
 * The people of a file known before they sign in, with their roles granted (by `seed`): the local
 * provider's demo people on the embedded default, the tests' people. A role the file no longer names
 * stays granted: revoking is an admin's act.
 */
export async function seedPeople(ctx: EngineContext, issuer: string, file: string | PeopleFile): Promise<number> {
  const { people } = typeof file === 'string' ? (JSON.parse(fs.readFileSync(file, 'utf8')) as PeopleFile) : file;
  let granted = 0;
  for (const p of people) {
    const { sub, roles, editeurId, ...claims } = p;
    const personId = await ctx.people.known(issuer, sub, claims);
    for (const role of roles.filter((r) => (personRoles as readonly string[]).includes(r)))
      if ((await ctx.people.grant(personId, role, 'seed', role === 'editeur' ? editeurId : undefined)) === 'granted')
        granted++;
  }
  return granted;
}
