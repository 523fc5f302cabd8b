import { check, eventFormOf as form } from './checks';

/** The plain checks of a control's events (its workflow's validators; the API's schemas say the same). */

export const controlEventForm = {
  documentsReceived: form((p, e) => check.instant(p, e, 'receivedAt')),
  controlDecided: form((p, e) => {
    check.oneOf(p, e, 'outcome', ['passed', 'failed'] as const);
    check.string(p, e, 'findings', '', { max: 2000 });
    check.array(p, e, 'reasons');
    if (e.recoveryCents !== undefined) check.cents(p, e, 'recoveryCents');
  }),
  recoveryReceived: form((p, e) => {
    check.cents(p, e, 'amountCents');
    check.instant(p, e, 'receivedAt');
  }),
  recoverySettled: form((p, e) => {
    check.oneOf(p, e, 'decision', ['escalate', 'write_off'] as const);
    check.string(p, e, 'reason', '', { max: 500 });
  }),
};
