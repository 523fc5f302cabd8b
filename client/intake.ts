import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { bdcRequestSchema } from '../domain/bdc';
import type { BdcWorkflowInput } from '../domain/bdc-view';
import { addCalendarDays, endOfParisDay, startOfParisDay } from '../domain/calendar';
import { campaignDeadlines, trancheFor, type Campaign } from '../domain/campaign';
import { essmsRefusals, ogEssmsCount as countOgEssms } from '../domain/eligibility';
import { eventHash } from '../domain/event-hash';
import { bdcIdOf, scopedEventId } from '../domain/ids';
import { initialRecord, nextDeadline } from '../domain/lifecycle';
import { planReminders } from '../domain/reminders';
import { applyRate } from '../domain/money';
import { civilDateFr, eurosFr } from '../domain/french';
import { say } from '../domain/messages';
import { parseOrRefuse, refuse, RefusedError } from '../domain/refusal';
import type { Extraction } from '../db/finess';
import { BDC_WORKFLOW_TYPE, type BdcLifecycleWorkflow } from '../contract/bdc';
import { bdcSearchAttributes } from '../contract/search-attributes';
import { effectiveCampaigns } from './campaigns';
import { nowOf, type Caller, type EngineContext } from './context';

export interface Registered {
  bdcId: string;
  /** false when this was a repetition of the registration's own event: nothing new was registered */
  created: boolean;
  /** false when Temporal could not be reached: the BDC is recorded and its workflow starts later */
  started: boolean;
}

/**
 * Registers a BDC: validates the request, checks eligibility, prices it from the barème, reads its
 * solution's référencement from the registry, turns civil dates into instants; then, in one
 * transaction, records it (the record's row, its ESSMS claims — all or none — and its registration
 * event); then starts its workflow. A registration the record holds is never half-done: if the
 * start fails, the row waits with its workflow's input and `startPendingWorkflows` starts it.
 * Every refusal is a RefusedError; nothing is recorded or started when the request is refused.
 * The same registration event again (same id, same content) answers as the first time.
 */
export async function registerBdc(
  ctx: EngineContext,
  caller: Caller,
  rawRequest: unknown,
  clientEventId: string,
): Promise<Registered> {
  const { solutionReferenced: _ignored, ...request } = parseOrRefuse(bdcRequestSchema, rawRequest);
  const eventId = scopedEventId(caller.scope, clientEventId);
  // the OG's name labels the order, it does not make another one: a registration sent again with its
  // name (a file imported again with an og_name column) is the same registration
  const { ogName: _label, ...order } = request;
  const hash = eventHash('registration', order);
  const { records } = ctx;
  const repeated = await repetition(ctx, request, eventId, hash);
  if (repeated) return repeated;

  const campaign = (await effectiveCampaigns(ctx)).find((c) => c.id === request.campaignId);
  if (!campaign)
    throw refuse(
      'unknown_campaign',
      say('unknown_campaign', { campaignId: request.campaignId }),
      'campaignId',
      request.campaignId,
    );
  if (request.orderDate < campaign.openingDate)
    throw refuse(
      'ordered_before_opening',
      say('ordered_before_opening', { opening: campaign.openingDate }),
      'orderDate',
      request.orderDate,
    );
  if (request.orderDate > campaign.orderDeadline)
    throw refuse(
      'ordered_after_deadline',
      say('ordered_after_deadline', { deadline: campaign.orderDeadline }),
      'orderDate',
      request.orderDate,
    );
  const now = new Date(await nowOf(ctx));
  if (now > endOfParisDay(campaign.orderDeadline)) {
    throw refuse(
      'registered_after_deadline',
      say('registered_after_deadline', { deadline: campaign.orderDeadline, now: now.toISOString() }),
      'campaignId',
      request.campaignId,
    );
  }

  const extraction = await ctx.finess.currentExtraction();
  if (!extraction) throw refuse('no_finess_extraction', say('no_finess_extraction'));
  // the OG's ESSMS are counted in the extraction the campaign pins (the latest where it pins none)
  const counted = campaign.finessExtraction
    ? await ctx.finess.extractionOf(campaign.finessExtraction.date)
    : extraction;
  if (!counted)
    throw refuse(
      'pinned_extraction_missing',
      say('pinned_extraction_missing', {
        campaignId: campaign.id,
        date: campaign.finessExtraction!.date,
        label: campaign.finessExtraction!.label,
      }),
      'campaignId',
      campaign.id,
    );
  const [found, excluded, ogEstablishments] = await Promise.all([
    ctx.finess.establishments(extraction.id, request.essms),
    ctx.finess.excluded(request.essms),
    ctx.finess.ogEstablishments(counted.id, request.ogFiness),
  ]);
  const refusals = essmsRefusals(campaign, request, found, excluded, extraction.date);
  if (refusals.length) throw new RefusedError(refusals);
  const ogEssmsCount = countOgEssms(campaign, ogEstablishments);
  const tranche = trancheFor(campaign, ogEssmsCount);
  const bdcId = bdcIdOf(request.editeurId, request.reference);
  const terms = {
    campaign,
    tranche,
    ogEssmsCount,
    extraction: counted,
    ceilingCents: tranche.perEssmsCents * request.essms.length,
  };

  let registration;
  try {
    registration = await records.register(
      { solutionId: request.solutionId, editeurId: request.editeurId },
      (solution) => {
        if (solution.state === 'refused')
          throw refuse(
            'solution_refused',
            say('solution_refused', { solutionId: request.solutionId, decidedOn: solution.decidedOn ?? '' }),
            'solutionId',
            request.solutionId,
          );
        const input = workflowInput(
          bdcId,
          request,
          terms,
          solution.state === 'granted' ? 'granted' : 'pending',
          { eventId, actor: caller.actor },
          now,
        );
        const record = initialRecord(input);
        const said = say('audit_registered', {
          essms: request.essms.length,
          ceilingCents: terms.ceilingCents,
          tranche: tranche.tranche,
        });
        const audit = {
          seq: 0,
          at: now.toISOString(),
          kind: 'registered',
          what: said.message,
          key: said.key,
          params: said.params,
          by: caller.actor,
          eventId,
        };
        return {
          record,
          audit,
          finessExtractionId: extraction.id,
          registrationEventId: eventId,
          registrationHash: hash,
          workflowInput: input,
        };
      },
    );
  } catch (err) {
    // a concurrent registration of the same order got there first: answer as if it came second
    if (err instanceof RefusedError && err.refusals[0]?.code === 'already_registered') {
      const again = await repetition(ctx, request, eventId, hash);
      if (again) return again;
    }
    throw err;
  }
  const started = await startWorkflow(ctx, registration.workflowInput, campaign);
  return { bdcId, created: true, started };
}

/**
 * The answer to a registration the record already holds: the same one again — its workflow started
 * now if the first attempt's start was lost — or a refusal.
 */
async function repetition(
  ctx: EngineContext,
  request: { editeurId: string; reference: string },
  eventId: string,
  hash: string,
): Promise<Registered | undefined> {
  const existing = await ctx.records.byBusinessKey(request.editeurId, request.reference);
  if (!existing) return undefined;
  if (existing.registrationEventId === eventId) {
    if (existing.registrationHash !== hash)
      throw refuse(
        'event_id_reused',
        say('registration_id_reused', { eventId, bdcId: existing.bdcId }),
        'eventId',
        eventId,
      );
    return {
      bdcId: existing.bdcId,
      created: false,
      started: (await startIfLost(ctx, existing.bdcId)) !== 'unavailable',
    };
  }
  throw refuse(
    'already_registered',
    say('already_registered', { reference: request.reference, editeurId: request.editeurId, bdcId: existing.bdcId }),
    'reference',
    request.reference,
  );
}

/** A BDC's deadlines with the reminders its campaign plans for the éditeur (those still ahead). */
function withReminders(
  deadlines: { dossier?: string; orderDeadline: string; closing: string },
  campaign: Campaign,
  now: Date,
): BdcWorkflowInput['deadlines'] {
  const plan = (at: string | undefined) => (at ? planReminders(at, campaign, now.getTime()) : []);
  const [dossier, closing] = [plan(deadlines.dossier), plan(deadlines.closing)];
  return {
    ...deadlines,
    ...(dossier.length || closing.length
      ? { reminders: { ...(dossier.length ? { dossier } : {}), ...(closing.length ? { closing } : {}) } }
      : {}),
  };
}

function workflowInput(
  bdcId: string,
  request: BdcWorkflowInput['request'],
  {
    campaign,
    tranche,
    ogEssmsCount,
    extraction,
    ceilingCents,
  }: {
    campaign: Campaign;
    tranche: { tranche: string };
    ogEssmsCount: number;
    extraction: Extraction;
    ceilingCents: number;
  },
  referencement: 'granted' | 'pending',
  registeredBy: BdcWorkflowInput['registeredBy'],
  now: Date,
): BdcWorkflowInput {
  return {
    bdcId,
    request,
    campaign: {
      id: campaign.id,
      vague: campaign.vague,
      couloir: campaign.couloir,
      tranche: tranche.tranche,
      ogEssmsCount,
      finessExtraction: `FINESS extraction of ${extraction.date} (#${extraction.id})`,
      advanceRateBasisPoints: campaign.advanceRateBasisPoints,
      referencementDelayDays: campaign.referencementDelayDays,
      reimbursementDueDays: campaign.reimbursementDueDays,
      ...(campaign.tbb1Indicators?.length ? { tbb1Indicators: campaign.tbb1Indicators } : {}),
      reminderOffsetsDays: campaign.reminderOffsetsDays,
      ...(campaign.reminderOffsetsMinutes?.length ? { reminderOffsetsMinutes: campaign.reminderOffsetsMinutes } : {}),
      ...(campaign.fourEyesThresholdCents !== undefined
        ? { fourEyesThresholdCents: campaign.fourEyesThresholdCents }
        : {}),
    },
    ceilingCents,
    referencement,
    deadlines: withReminders(
      {
        ...(referencement === 'granted'
          ? {}
          : {
              dossier: endOfParisDay(addCalendarDays(request.orderDate, campaign.referencementDelayDays)).toISOString(),
            }),
        ...campaignDeadlines(campaign),
      },
      campaign,
      now,
    ),
    orderDayStartsAt: startOfParisDay(request.orderDate).toISOString(),
    registeredBy,
    registeredAt: now.toISOString(),
  };
}

/**
 * Starts a recorded BDC's workflow (its id is the BDC's: a second start finds the first). Answers
 * false when Temporal could not start it now; the record keeps it for `startPendingWorkflows`.
 */
export async function startWorkflow(
  ctx: EngineContext,
  input: BdcWorkflowInput,
  campaign?: Campaign,
): Promise<boolean> {
  const { request, campaign: terms, ceilingCents } = input;
  const record = initialRecord(input);
  try {
    await ctx.client.workflow.start<BdcLifecycleWorkflow>(BDC_WORKFLOW_TYPE, {
      workflowId: input.bdcId,
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // what admins read in the Web UI's list and header, in French like every screen
      staticSummary: `BDC ${request.reference} — éditeur ${request.editeurId}, OG ${request.ogFiness} (${request.essms.length} ESSMS, plafond ${eurosFr(ceilingCents)})`,
      staticDetails: [
        `**Campagne** ${campaign?.label ?? terms.id}, tranche ${terms.tranche} (${terms.ogEssmsCount} ESSMS dans l’extraction FINESS ${terms.finessExtraction})`,
        `**Solution** ${request.solutionId} (${input.referencement === 'granted' ? 'référencée' : 'en attente de référencement'}), commandée le ${civilDateFr(request.orderDate)}`,
        `**ESSMS** ${request.essms.join(', ')}`,
        `**Plafond** ${eurosFr(ceilingCents)}, avance ${eurosFr(applyRate(ceilingCents, terms.advanceRateBasisPoints))}`,
      ].join('\n\n'),
      typedSearchAttributes: [
        { key: bdcSearchAttributes.status, value: record.status },
        { key: bdcSearchAttributes.campaign, value: terms.id },
        { key: bdcSearchAttributes.couloir, value: terms.couloir },
        { key: bdcSearchAttributes.editeur, value: request.editeurId },
        { key: bdcSearchAttributes.solution, value: request.solutionId },
        { key: bdcSearchAttributes.ogFiness, value: request.ogFiness },
        { key: bdcSearchAttributes.essms, value: request.essms },
        { key: bdcSearchAttributes.ceilingCents, value: ceilingCents },
        { key: bdcSearchAttributes.nextDeadline, value: new Date(nextDeadline(record.deadlines)!.at) },
        { key: bdcSearchAttributes.overdue, value: false },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) return false;
  }
  // a BDC whose solution is granted commits its advance at once, which marks it started; the others wait
  if (input.referencement !== 'granted') await ctx.records.markStarted(input.bdcId);
  return true;
}

/**
 * Starts the workflows of BDCs recorded but not started (Temporal was unreachable when they were
 * registered, or the engine stopped in between) — run every few seconds by the worker's process.
 */
export async function startPendingWorkflows(ctx: EngineContext, olderThanMs = 10_000): Promise<number> {
  const pending = await ctx.records.notStarted(new Date((await nowOf(ctx)) - olderThanMs));
  let started = 0;
  for (const { workflowInput } of pending) if (await startRecorded(ctx, workflowInput)) started++;
  return started;
}

/** Starts a recorded BDC's workflow with what its solution's decision says now. */
async function startRecorded(ctx: EngineContext, workflowInput: BdcWorkflowInput): Promise<boolean> {
  // a decision taken since the registration did not reach a workflow that did not exist yet
  const state = (await ctx.solutions.get(workflowInput.request.solutionId))?.state ?? 'pending';
  const input =
    state === workflowInput.referencement || workflowInput.referencement === 'granted'
      ? workflowInput
      : { ...workflowInput, referencement: state };
  return startWorkflow(ctx, input);
}

/**
 * A BDC the record holds, its workflow started now if its start was lost (the engine stopped between
 * the record and the start), so that a repeated registration or the BDC's next event need not wait for
 * the sweeper: 'running' (it already ran), 'started' (just now), or 'unavailable' (Temporal cannot start it now).
 */
export async function startIfLost(ctx: EngineContext, bdcId: string): Promise<'running' | 'started' | 'unavailable'> {
  const input = await ctx.records.notStartedInput(bdcId);
  if (!input) return 'running';
  return (await startRecorded(ctx, input)) ? 'started' : 'unavailable';
}
