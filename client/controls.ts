import { EventIds } from '../db/event-ids';
import { sendEvent } from '../temporal/bdc-gateway';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { endOfParisDay } from '../domain/calendar';
import { initialControlRecord, type ControlAnswer, type ControlInput, type ControlView } from '../domain/control-view';
import { scopedEventId } from '../domain/ids';
import { say } from '../domain/messages';
import { refuse, refusalOf, type Refusal } from '../domain/refusal';
import {
  controlDecisionRefusals,
  documentsRefusals,
  recoveryReceiptRefusals,
  recoverySettlementRefusals,
} from '../domain/rules/control';
import { drawSample, populationDigest, type Drawn } from '../domain/sampling';
import { civilDateSchema } from '../domain/schemas';
import { Controls, type DrawRecord } from '../db/controls';
import { CONTROL_WORKFLOW_TYPE, controlMessages, type BdcControlWorkflow } from '../contract/control';
import { nowOf, type Caller, type EngineContext } from './context';
import { onDay } from './bdc-events';
import { sentOnceCaughtUp } from './catching-up';

/** What an operator asks for a draw: the sample's seed and size, the population, who controls, what is asked. */
export const drawRequestSchema = z
  .object({
    eventId: z.string().min(1).max(128),
    seed: z.string().min(1).max(200).describe('anyone redraws the same sample from the same seed and population'),
    rate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('the share of each stratum (campaign, éditeur, tranche) drawn, at least one BDC each'),
    size: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe('or the number of BDCs drawn, shared out among the strata in proportion'),
    campaignId: z.string().min(1).max(64).optional(),
    endedBefore: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('the population: BDCs completed before this instant (default: now)'),
    assignedTo: z.string().min(1).max(128),
    documents: z.array(z.string().min(1).max(200)).min(1).max(20),
    documentsDueOn: civilDateSchema,
    recoveryDueDays: z.number().int().min(1).max(365).default(30),
  })
  .refine((d) => (d.rate === undefined) !== (d.size === undefined), {
    message: say('sample_size').message,
    path: ['rate'],
  });
export type DrawRequest = z.infer<typeof drawRequestSchema>;

const controlIdOf = (drawId: string, bdcId: string) => `control:${drawId}:${bdcId}`;

/** The population a draw samples (BDCs completed before its instant) and the sample its seed draws from it. */
async function sampleOf(ctx: EngineContext, request: DrawRequest) {
  const endedBefore = request.endedBefore
    ? new Date(request.endedBefore).toISOString()
    : new Date(await nowOf(ctx)).toISOString();
  const population = await new Controls(ctx.sql).population({ campaignId: request.campaignId, endedBefore });
  const sample = drawSample(
    population,
    request.seed,
    request.rate !== undefined ? { rate: request.rate } : { size: request.size! },
  );
  return { endedBefore, population, sample };
}

/**
 * What a draw would do, recording nothing: the controls it opens and the éditeurs they write to, or
 * why it is refused. Its instant is fixed (`endedBefore`): the draw confirmed with it draws this sample.
 */
export async function drawPreview(
  ctx: EngineContext,
  request: DrawRequest,
): Promise<{ refusals: Refusal[]; endedBefore: string; population: number; controls: number; editeurs: number }> {
  const { endedBefore, population, sample } = await sampleOf(ctx, request);
  const editeurOf = new Map(population.map((p) => [p.bdcId, p.editeurId]));
  return {
    refusals: sample.length ? [] : [refusalOf('empty_sample', say('empty_sample'), 'seed', request.seed)],
    endedBefore,
    population: population.length,
    controls: sample.length,
    editeurs: new Set(sample.map((d) => editeurOf.get(d.bdcId))).size,
  };
}

/**
 * Draws a reproducible sample of completed BDCs and opens a durable control of each: recorded first
 * (the draw, its parameters and population's digest, each control's state), then each control's
 * workflow started. The same event again answers the same draw (and starts what was not started).
 */
export async function drawControls(ctx: EngineContext, caller: Caller, request: DrawRequest): Promise<DrawRecord> {
  const controls = new Controls(ctx.sql);
  const drawId = scopedEventId(caller.scope, request.eventId).replace(/[^A-Za-z0-9_.-]/g, '_');
  await new EventIds(ctx.sql).claim(scopedEventId(caller.scope, request.eventId), drawId, 'draw');
  if (!(await controls.draw(drawId))) {
    const { endedBefore, population, sample } = await sampleOf(ctx, request);
    if (!sample.length) throw refuse('empty_sample', say('empty_sample'), 'seed', request.seed);
    const byId = new Map(population.map((p) => [p.bdcId, p]));
    const documentsDueAt = endOfParisDay(request.documentsDueOn).toISOString();
    const opened = sample.map((drawn: Drawn) => {
      const bdc = byId.get(drawn.bdcId)!;
      const input: ControlInput = {
        controlId: controlIdOf(drawId, drawn.bdcId),
        drawId,
        bdcId: drawn.bdcId,
        editeurId: bdc.editeurId,
        paidCents: bdc.paidCents,
        heldCents: bdc.heldCents,
        assignedTo: request.assignedTo,
        documents: request.documents,
        documentsDueAt,
        recoveryDueDays: request.recoveryDueDays,
        ...(bdc.fourEyesThresholdCents !== undefined ? { fourEyesThresholdCents: bdc.fourEyesThresholdCents } : {}),
        openedBy: { eventId: scopedEventId(caller.scope, request.eventId), actor: caller.actor },
      };
      return { drawn, record: initialControlRecord(input), input };
    });
    const params = {
      rate: request.rate,
      size: request.size,
      campaignId: request.campaignId,
      endedBefore,
      strata: ['campaign', 'editeur', 'tranche'],
      ranking: 'sha256(seed:bdcId)',
    };
    await controls.recordDraw(
      {
        drawId,
        seed: request.seed,
        params,
        population: population.length,
        populationDigest: populationDigest(population),
        drawnBy: caller.actor.id,
      },
      opened,
    );
  }
  await startPendingControls(ctx, drawId);
  return (await controls.draw(drawId))!;
}

/** Starts the workflows of recorded controls not known to have started (a draw's, or all). */
export async function startPendingControls(ctx: EngineContext, drawId?: string): Promise<number> {
  const controls = new Controls(ctx.sql);
  let started = 0;
  for (const input of await controls.notStarted(drawId)) {
    await ctx.client.workflow
      .start<BdcControlWorkflow>(CONTROL_WORKFLOW_TYPE, {
        workflowId: input.controlId,
        taskQueue: ctx.taskQueue,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Contrôle a posteriori de ${input.bdcId} (tirage ${input.drawId})`,
      })
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      });
    await controls.markStarted(input.controlId);
    started++;
  }
  return started;
}

/**
 * Draws a recorded draw again from its seed and its population (the BDCs completed before its
 * instant, as the record holds them now): the same population and the same sample, or what differs.
 */
export async function redraw(
  ctx: EngineContext,
  drawId: string,
): Promise<{ samePopulation: boolean; sameSample: boolean; sample: Drawn[] }> {
  const controls = new Controls(ctx.sql);
  const draw = await controls.draw(drawId);
  if (!draw) throw refuse('not_found', say('unknown_control', { controlId: drawId }), 'drawId', drawId);
  const p = draw.params as { rate?: number; size?: number; campaignId?: string; endedBefore: string };
  const population = await controls.population({ campaignId: p.campaignId, endedBefore: p.endedBefore });
  const sample = drawSample(
    population,
    draw.seed,
    p.rate !== undefined && p.rate !== null ? { rate: p.rate } : { size: p.size! },
  );
  const key = (s: Drawn[]) =>
    s
      .map((x) => `${x.stratum}/${x.bdcId}`)
      .sort()
      .join('\n');
  return {
    samePopulation: populationDigest(population) === draw.populationDigest,
    sameSample: key(sample) === key(draw.sample),
    sample,
  };
}

export const drawOf = async (ctx: EngineContext, drawId: string) => {
  const draw = await new Controls(ctx.sql).draw(drawId);
  if (!draw) throw refuse('not_found', say('unknown_control', { controlId: drawId }), 'drawId', drawId);
  return draw;
};

export async function controlState(ctx: EngineContext, controlId: string): Promise<ControlView> {
  const view = await new Controls(ctx.sql).get(controlId);
  if (!view) throw refuse('not_found', say('unknown_control', { controlId }), 'controlId', controlId);
  return view;
}

export const listControls = (
  ctx: EngineContext,
  filter: { status?: string; overdue?: boolean; bdcId?: string; drawId?: string; editeurId?: string },
) => new Controls(ctx.sql).list(filter);
export const recentDraws = (ctx: EngineContext) => new Controls(ctx.sql).draws();

/** Delivers an operator's event to a control, under the caller's scope of event ids; answers the control once recorded. */
async function deliver<E extends { eventId: string; actor: Caller['actor'] }>(
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  update: UpdateDefinition<ControlAnswer, [E]>,
  event: Omit<E, 'actor'>,
): Promise<ControlView> {
  await controlState(ctx, controlId);
  const scoped = { ...event, eventId: scopedEventId(caller.scope, event.eventId), actor: caller.actor } as E;
  // an event id names one event across every BDC and control
  await new EventIds(ctx.sql).claim(scoped.eventId, controlId, update.name);
  // a control that ended is said in the control's words
  await sentOnceCaughtUp(
    () =>
      sendEvent(ctx.client, controlId, update, scoped, async () =>
        refuse(
          'bdc_ended',
          say('control_wrong_state', { status: (await controlState(ctx, controlId)).status }),
          'controlId',
          controlId,
        ),
      ),
    async () => (await controlState(ctx, controlId)).status,
  );
  return controlState(ctx, controlId);
}

export const recordDocumentsReceived = (
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  body: { eventId: string; receivedOn: string },
) =>
  deliver(ctx, caller, controlId, controlMessages.documentsReceived, {
    eventId: body.eventId,
    receivedAt: onDay(body.receivedOn),
  });

export const decideControl = (
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  body: { eventId: string; outcome: 'passed' | 'failed'; findings: string; reasons: string[]; recoveryCents?: number },
) => deliver(ctx, caller, controlId, controlMessages.controlDecided, body);

export const recordRecoveryReceived = (
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  body: { eventId: string; amountCents: number; receivedOn: string },
) =>
  deliver(ctx, caller, controlId, controlMessages.recoveryReceived, {
    eventId: body.eventId,
    amountCents: body.amountCents,
    receivedAt: onDay(body.receivedOn),
  });

export const settleRecovery = (
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  body: { eventId: string; decision: 'escalate' | 'write_off'; reason: string },
) => deliver(ctx, caller, controlId, controlMessages.recoverySettled, body);

/** A control that needs attention (its effect was refused): the operator has it tried again. */
export const resolveControlAttention = (
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  body: { eventId: string; decision: 'retry' | 'cancel'; reason: string },
) => deliver(ctx, caller, controlId, controlMessages.attentionResolved, body);

/**
 * The rules of a control's events run on its record before a person confirms them (the workflow runs
 * them again when the event is sent). A recovery is bounded by what the éditeur holds now: another
 * control of the BDC may have demanded some back since the draw.
 */
export async function checkControlDecision(
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  body: { outcome: 'passed' | 'failed'; findings: string; reasons: string[]; recoveryCents?: number },
): Promise<Refusal[]> {
  const control = await controlState(ctx, controlId);
  const money = await ctx.money.ofBdc(control.bdcId);
  const heldCents = Math.min(control.heldCents, money.paidCents - money.demandedCents);
  return controlDecisionRefusals({ ...control, heldCents }, { eventId: 'precheck', actor: caller.actor, ...body });
}

export async function checkRecoveryReceipt(
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  body: { amountCents: number; receivedOn: string },
): Promise<Refusal[]> {
  const control = await controlState(ctx, controlId);
  return recoveryReceiptRefusals(control, await nowOf(ctx), {
    eventId: 'precheck',
    actor: caller.actor,
    amountCents: body.amountCents,
    receivedAt: onDay(body.receivedOn),
  });
}

export async function checkRecoverySettlement(
  ctx: EngineContext,
  caller: Caller,
  controlId: string,
  body: { decision: 'escalate' | 'write_off'; reason: string },
): Promise<Refusal[]> {
  return recoverySettlementRefusals(await controlState(ctx, controlId), {
    eventId: 'precheck',
    actor: caller.actor,
    ...body,
  });
}

/** The documents' receipt, checked before a person confirms it (the control still awaits them). */
export async function checkDocumentsReceived(ctx: EngineContext, controlId: string): Promise<Refusal[]> {
  return documentsRefusals(await controlState(ctx, controlId));
}
