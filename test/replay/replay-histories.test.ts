import { Worker } from '@temporalio/worker';
import { historiesDir } from '../support/harness';
import { loadHistories } from '../support/histories';
import { workflowBundle } from '../support/harness';

// BDCs outlive deployments: today's workflow code must replay the history of every path recorded
// with earlier code (`npm run histories:record`). A failure here means a change needs patched().
// Recorded after the patch reclaim-advance-from-ledger (its new branch): workflow-cancelled-during-
// advance, referencement-granted-then-cancelled; the others replay its old branch.
const histories = loadHistories(historiesDir);

test('one recorded history per lifecycle path', () => {
  expect(histories.map((h) => h.workflowId)).toEqual([
    'calendar-amended-backward',
    'calendar-amended-forward',
    'calendar-batch-interrupted',
    'cancelled-after-advance',
    'cancelled-before-advance',
    'closing-after-advance-reimbursed',
    'closing-before-referencement',
    'closing-day-lapsed-CEST',
    'closing-day-lapsed-CET',
    'dossier-filed-late-refused',
    'dossier-not-filed-within-120-days',
    'duplicated-cancellation-and-receipts',
    'every-event-duplicated',
    'happy-path',
    'invalid-va-then-valid',
    'invoice-below-advance',
    'referencement-granted-then-cancelled',
    'referencement-granted-within-120-days',
    'referencement-refused',
    'reimbursement-overdue',
    'workflow-cancelled-by-admin',
    'workflow-cancelled-during-advance',
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
