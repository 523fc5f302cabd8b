import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { say } from '../domain/messages';
import { refuse } from '../domain/refusal';
import { Notifications, type Party } from '../db/notifications';
import { secretOwner } from '../notifications/secret-box';
import { resolveTarget, WebhookRefused } from '../notifications/webhook-target';
import { DAILY_NOTICES_WORKFLOW_ID, DAILY_NOTICES_WORKFLOW_TYPE } from '../contract/notices';
import type { EngineContext } from './context';

/** Starts the daily notices (the operators' digest, the order deadlines' reminders), or finds them running. */
export async function startDailyNotices(ctx: EngineContext): Promise<void> {
  await ctx.client.workflow
    .start(DAILY_NOTICES_WORKFLOW_TYPE, {
      workflowId: DAILY_NOTICES_WORKFLOW_ID,
      taskQueue: ctx.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: 'Avis quotidiens à 9 h (Paris) : synthèse des gestionnaires, rappels de fermeture des commandes',
    })
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
}

/** A contact as it is set: the secret in clear, as its owner gives it (sealed before it is kept). */
export interface ContactInput {
  party: Party;
  partyId: string;
  emails: string[];
  webhookUrl?: string;
  webhookSecret?: string;
}

/** A contact as it is read: whether its webhook is signed, never its secret. */
export interface ContactView {
  party: Party;
  partyId: string;
  emails: string[];
  webhookUrl: string | null;
  webhookSigned: boolean;
}

/**
 * Who is told what: an éditeur's email addresses and webhook, an OG's addresses, the operators'. A
 * webhook is checked before it is kept (HTTPS, a public address: notifications/webhook-target.ts) and
 * signed: its secret is required unless one is kept already, and is kept sealed; saved without a
 * secret, a contact keeps the one it had.
 */
export async function setContact(ctx: EngineContext, input: ContactInput): Promise<ContactView> {
  const outbox = new Notifications(ctx.sql);
  if (input.webhookUrl || input.webhookSecret) {
    if (!ctx.webhooks) throw new Error('webhooks are not configured in this process (no payload keys)');
  }
  if (input.webhookUrl) {
    try {
      await resolveTarget(input.webhookUrl, ctx.webhooks!.policy);
    } catch (err) {
      if (!(err instanceof WebhookRefused)) throw err;
      // the caller learns that its URL is refused, not what the engine's resolver answered: an internal
      // name that resolves and one that does not are refused alike (no map of the network)
      const code = err.code === 'webhook_unresolvable' ? 'webhook_forbidden_address' : err.code;
      throw refuse(code, say(code), 'webhookUrl', input.webhookUrl);
    }
    const kept = await outbox.contact(input.party, input.partyId);
    if (!input.webhookSecret && !kept?.webhookSecret && !kept?.clearWebhookSecret)
      throw refuse('webhook_secret_required', say('webhook_secret_required'), 'webhookSecret');
  }
  await outbox.setContact({
    party: input.party,
    partyId: input.partyId,
    emails: input.emails,
    ...(input.webhookUrl ? { webhookUrl: input.webhookUrl } : {}),
    ...(input.webhookSecret
      ? { webhookSecret: ctx.webhooks!.secrets.seal(input.webhookSecret, secretOwner(input.party, input.partyId)) }
      : {}),
  });
  return (await contactOf(ctx, input.party, input.partyId))!;
}

export async function contactOf(ctx: EngineContext, party: Party, partyId: string): Promise<ContactView | undefined> {
  const c = await new Notifications(ctx.sql).contact(party, partyId);
  return c
    ? {
        party,
        partyId,
        emails: c.emails,
        webhookUrl: c.webhookUrl ?? null,
        webhookSigned: Boolean(c.webhookSecret ?? c.clearWebhookSecret),
      }
    : undefined;
}

/**
 * Seals the webhook secrets still kept in clear (saved before secrets were sealed): run at start-up
 * by each process that holds the keys; answers how many it sealed.
 */
export async function sealClearSecrets(ctx: EngineContext): Promise<number> {
  if (!ctx.webhooks) return 0;
  const outbox = new Notifications(ctx.sql);
  const clear = await outbox.clearSecrets();
  for (const c of clear)
    await outbox.sealClearSecret(
      c.party,
      c.partyId,
      c.secret,
      ctx.webhooks.secrets.seal(c.secret, secretOwner(c.party, c.partyId)),
    );
  return clear.length;
}
export const notificationsOfBdc = (ctx: EngineContext, bdcId: string) => new Notifications(ctx.sql).ofBdc(bdcId);
/** What an éditeur (or any party) was sent, newest first. */
export const notificationsTo = (ctx: EngineContext, party: Party, partyId: string, limit = 200) =>
  new Notifications(ctx.sql).toParty(party, partyId, limit);
export const recentNotifications = (ctx: EngineContext, limit = 50) => new Notifications(ctx.sql).recent(limit);
