import { say } from '../domain/messages';
import { refuse } from '../domain/refusal';
import type { Caller } from './context';

/**
 * Money is decided with a second factor: a person whose sign-in did not use one (its provider's `amr`
 * says so, OIDC_SECOND_FACTOR_AMR) reads, but takes no money action. A service account's token is not
 * a person's sign-in: its rights are its role's.
 */
export function requireSecondFactor(caller: Caller): void {
  if (caller.secondFactor === false)
    throw refuse('second_factor_required', say('second_factor_required'), 'secondFactor');
}
