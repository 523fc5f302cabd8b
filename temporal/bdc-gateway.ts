import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { EventAnswer } from '../domain/bdc-view';
import { eventHash } from '../domain/event-hash';
import type { BdcEvent } from '../domain/events';
import { say } from '../domain/messages';
import { bdcSearchAttributes } from '../contract/search-attributes';
import { REFUSED, RefusedError, refuse, refusalOf, type Refusal } from '../domain/refusal';

/**
 * Delivers one external event to a recorded process's workflow (a BDC, a control) and answers where it
 * stands once the event is recorded. The event id is the update id: Temporal answers a repeated id
 * with its first outcome, so an answer for another kind of event, or for other content, means the id
 * was reused — refused. A workflow's refusal comes back as a RefusedError carrying the same
 * structured refusals; a workflow that ended is said by `ended` (its process's words).
 */
export async function sendEvent<A extends { kind: string; hash: string }, E extends { eventId: string }>(
  client: Client,
  workflowId: string,
  update: UpdateDefinition<A, [E]>,
  event: E,
  ended: (temporalStatus: string | undefined, bdcStatus: string | undefined) => RefusedError | Promise<RefusedError> = (
    status,
    bdcStatus,
  ) =>
    status
      ? refuse(
          'bdc_ended',
          // the BDC's own status when it ended by its lifecycle (« Caduc », not Temporal's "completed");
          // Temporal's word when it was stopped there (terminated, failed…), its last status meaning nothing
          say('bdc_ended', {
            bdcId: workflowId,
            status: (status === 'COMPLETED' && bdcStatus) || status.toLowerCase(),
          }),
          'bdcId',
          workflowId,
        )
      : refuse('unknown_bdc', say('unknown_bdc', { bdcId: workflowId }), 'bdcId', workflowId),
): Promise<A> {
  const handle = client.workflow.getHandle(workflowId);
  let answer: A;
  try {
    answer = await handle.executeUpdate(update, { args: [event], updateId: event.eventId });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      const described = await handle.describe().then(
        (d) => ({ status: d.status.name, bdcStatus: d.typedSearchAttributes.get(bdcSearchAttributes.status) }),
        () => undefined,
      );
      throw await ended(described?.status, described?.bdcStatus);
    }
    if (
      err instanceof WorkflowUpdateFailedError &&
      err.cause instanceof ApplicationFailure &&
      err.cause.type === REFUSED
    ) {
      const refusals = (err.cause.details ?? []) as Refusal[];
      throw new RefusedError(
        refusals.length ? refusals : [refusalOf('refused', say('refused', { reason: err.cause.message }))],
      );
    }
    throw err;
  }
  if (answer.kind !== update.name || answer.hash !== eventHash(update.name, event)) {
    throw refuse(
      'event_id_reused',
      say('event_id_reused', { eventId: event.eventId, kind: answer.kind, same: answer.kind === update.name }),
      'eventId',
      event.eventId,
    );
  }
  return answer;
}

/** Delivers one external event to a BDC's workflow (sendEvent, in a BDC's words). */
export const sendBdcEvent = <E extends BdcEvent>(
  client: Client,
  bdcId: string,
  update: UpdateDefinition<EventAnswer, [E]>,
  event: E,
): Promise<EventAnswer> => sendEvent(client, bdcId, update, event);
