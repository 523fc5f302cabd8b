import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { RefusedError, refuse, type Refusal } from '../domain/refusal';
import type { BdcView } from '../domain/bdc-view';

/**
 * Delivers one external event to a BDC's workflow and answers its new state. The event id is the
 * update id, so a redelivered event is deduplicated by Temporal as well as by the workflow. A
 * workflow's refusal comes back as a RefusedError carrying the same structured refusals.
 */
export async function sendBdcEvent<E extends { eventId: string }>(client: Client, bdcId: string, update: UpdateDefinition<BdcView, [E]>, event: E): Promise<BdcView> {
  const handle = client.workflow.getHandle(bdcId);
  try {
    return await handle.executeUpdate(update, { args: [event], updateId: event.eventId });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      const status = await handle.describe().then((d) => d.status.name, () => undefined);
      throw status
        ? refuse('bdc_ended', `BDC ${bdcId} has ended (${status.toLowerCase()}) and takes no more events`, 'bdcId', bdcId)
        : refuse('unknown_bdc', `no BDC ${bdcId}`, 'bdcId', bdcId);
    }
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'Refused') {
      const refusals = (err.cause.details ?? []) as Refusal[];
      throw new RefusedError(refusals.length ? refusals : [{ code: 'refused', message: err.cause.message, path: '' }]);
    }
    throw err;
  }
}
