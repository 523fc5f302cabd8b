import { Worker } from '@temporalio/worker';
import { historiesDir } from '../support/harness';
import { loadHistories } from '../support/histories';
import { workflowBundle } from '../support/workflow-bundle';

// BDCs outlive deployments: today's workflow code must replay the history of every path recorded
// with earlier code (`npm run histories:record`). A failure here means a change needs patched()
// (README, "Changing a workflow"). release-1/: every path of the first release — the lifecycle, the
// batch that continues as new, the controls.
const histories = loadHistories(historiesDir);

test('one recorded history per path of the workflows', () => {
  expect(histories.map((h) => h.workflowId)).toEqual([
    'release-1/calendar-amended-backward',
    'release-1/calendar-amended-forward',
    'release-1/calendar-batch-continued-as-new',
    'release-1/cancelled-after-advance',
    'release-1/cancelled-before-advance',
    'release-1/closing-after-advance-reimbursed',
    'release-1/closing-before-referencement',
    'release-1/closing-day-lapsed-CEST',
    'release-1/closing-day-lapsed-CET',
    'release-1/control-failed-recovered',
    'release-1/control-late-recovery-written-off',
    'release-1/dossier-filed-late-refused',
    'release-1/dossier-not-filed-within-120-days',
    'release-1/duplicated-cancellation-and-receipts',
    'release-1/every-event-duplicated',
    'release-1/happy-path',
    'release-1/invalid-va-then-valid',
    'release-1/invoice-below-advance',
    'release-1/needs-attention-then-cancelled',
    'release-1/needs-attention-then-retry',
    'release-1/referencement-granted-then-cancelled',
    'release-1/referencement-granted-within-120-days',
    'release-1/referencement-refused',
    'release-1/reimbursement-overdue',
    'release-1/reimbursement-written-off',
    'release-1/reminders-moved-then-va',
    'release-1/va-before-advance-paid',
    'release-1/workflow-cancelled-by-admin',
    'release-1/workflow-cancelled-during-advance',
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
