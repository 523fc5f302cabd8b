import { Worker } from '@temporalio/worker';
import { historiesDir } from '../support/harness';
import { loadHistories } from '../support/histories';
import { workflowBundle } from '../support/workflow-bundle';

// BDCs outlive deployments: today's workflow code must replay the history of every path recorded
// with earlier code (`npm run histories:record`). A failure here means a change needs patched().
// v1/: recorded before the patch bdc-record-v2 (workflows/bdc-lifecycle.ts): they replay the frozen
// v1 lifecycle (workflows/legacy/), and calendar-batch-interrupted the frozen v1 batch. v2/: the
// lifecycle that writes the record, and the batch that continues as new. v3/: recorded since the
// reminders (behind patched('deadline-reminders')), the write-off of a reimbursement, and the controls.
const histories = loadHistories(historiesDir);

test('one recorded history per lifecycle path, of both versions', () => {
  expect(histories.map((h) => h.workflowId)).toEqual([
    'v1/calendar-amended-backward',
    'v1/calendar-amended-forward',
    'v1/calendar-batch-interrupted',
    'v1/cancelled-after-advance',
    'v1/cancelled-before-advance',
    'v1/closing-after-advance-reimbursed',
    'v1/closing-before-referencement',
    'v1/closing-day-lapsed-CEST',
    'v1/closing-day-lapsed-CET',
    'v1/dossier-filed-late-refused',
    'v1/dossier-not-filed-within-120-days',
    'v1/duplicated-cancellation-and-receipts',
    'v1/every-event-duplicated',
    'v1/happy-path',
    'v1/invalid-va-then-valid',
    'v1/invoice-below-advance',
    'v1/referencement-granted-then-cancelled',
    'v1/referencement-granted-within-120-days',
    'v1/referencement-refused',
    'v1/reimbursement-overdue',
    'v1/workflow-cancelled-by-admin',
    'v1/workflow-cancelled-during-advance',
    'v2/calendar-amended-backward',
    'v2/calendar-amended-forward',
    'v2/calendar-batch-continued-as-new',
    'v2/cancelled-after-advance',
    'v2/cancelled-before-advance',
    'v2/closing-after-advance-reimbursed',
    'v2/closing-before-referencement',
    'v2/closing-day-lapsed-CEST',
    'v2/closing-day-lapsed-CET',
    'v2/dossier-filed-late-refused',
    'v2/dossier-not-filed-within-120-days',
    'v2/duplicated-cancellation-and-receipts',
    'v2/every-event-duplicated',
    'v2/happy-path',
    'v2/invalid-va-then-valid',
    'v2/invoice-below-advance',
    'v2/needs-attention-then-cancelled',
    'v2/needs-attention-then-retry',
    'v2/referencement-granted-then-cancelled',
    'v2/referencement-granted-within-120-days',
    'v2/referencement-refused',
    'v2/reimbursement-overdue',
    'v2/workflow-cancelled-by-admin',
    'v2/workflow-cancelled-during-advance',
    'v3/control-failed-recovered',
    'v3/control-late-recovery-written-off',
    'v3/reimbursement-written-off',
    'v3/reminders-moved-then-va',
  ]);
});

test('every recorded history replays on the current workflow code', async () => {
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'sons-histories' }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(histories.length);
});
