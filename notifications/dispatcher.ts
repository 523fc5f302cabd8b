import type pino from 'pino';
import { Notifications, type Outgoing } from '../db/notifications';
import type { Sql } from '../db/sql';
import type { Mailer } from './email';
import { secretOwner, type SecretBox } from './secret-box';
import { postWebhook, WebhookFailed } from './webhook';
import { resolveTarget, WebhookRefused, type WebhookPolicy } from './webhook-target';

/** Attempts before a notification is given up (failed, visible to operators): about a day of backoff. */
export const MAX_ATTEMPTS = 12;
/** The wait before attempt n+1: 5 s, 10 s, 20 s… at most an hour. */
export const retryDelaySeconds = (attempts: number) => Math.min(3_600, 5 * 2 ** attempts);

/**
 * Delivers the outbox: every few seconds, the notifications due (leased, so two dispatchers never
 * take the same), each by email or webhook; a failure is tried again later, with backoff.
 */
export class NotificationDispatcher {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly outbox: Notifications;

  constructor(
    sql: Sql,
    private readonly options: {
      mailer?: Mailer;
      logger: pino.Logger;
      everyMs?: number;
      batch?: number;
      /** where webhooks may go and the box their secrets are sealed in; absent, webhooks wait */
      webhooks?: { policy: WebhookPolicy; secrets: SecretBox };
    },
  ) {
    this.outbox = new Notifications(sql);
  }

  start(): void {
    const every = this.options.everyMs ?? 2_000;
    const loop = () => {
      const round = this.tick().then(
        () => undefined,
        (err: unknown) =>
          this.options.logger.warn({ err: (err as Error).message }, 'notifications not delivered this time'),
      );
      this.running = round;
      void round.finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(loop, every);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.options.mailer?.close();
  }

  /** One round: answers how many were delivered. */
  async tick(): Promise<number> {
    const due = await this.outbox.takeDue(this.options.batch ?? 20);
    let delivered = 0;
    for (const n of due) {
      try {
        await this.deliver(n);
        await this.outbox.delivered(n);
        delivered++;
      } catch (err) {
        const attempts = n.attempts + 1;
        // a webhook the address check refuses, or without a secret, is never tried again
        const permanent = err instanceof WebhookFailed && err.permanent;
        const retry = attempts < MAX_ATTEMPTS && !permanent ? retryDelaySeconds(attempts) : undefined;
        this.options.logger.warn(
          {
            notification: n.notificationId,
            channel: n.channel,
            attempts,
            retryInSeconds: retry,
            err: (err as Error).message,
          },
          retry ? 'notification not delivered; tried again later' : 'notification given up',
        );
        await this.outbox.failed(n, (err as Error).message, retry);
      }
    }
    return delivered;
  }

  private async deliver(n: Outgoing): Promise<void> {
    if (n.channel === 'email') {
      if (!this.options.mailer) throw new Error('no SMTP server configured (SMTP_URL)');
      await this.options.mailer.send({ id: `${n.notificationId}`, to: n.address!, subject: n.subject, text: n.body });
      return;
    }
    const webhooks = this.options.webhooks;
    if (!webhooks) throw new Error('webhooks are not configured in this process (no payload keys)');
    const contact = await this.outbox.contact(n.party, n.partyId);
    const secret = contact?.webhookSecret
      ? webhooks.secrets.open(contact.webhookSecret, secretOwner(n.party, n.partyId))
      : contact?.clearWebhookSecret;
    if (!secret) throw new WebhookFailed('no signing secret: an unsigned webhook is not called', true);
    // checked again now, whatever was checked when the contact was saved: the name may resolve elsewhere
    const target = await resolveTarget(n.address!, webhooks.policy).catch((err: unknown) => {
      if (!(err instanceof WebhookRefused)) throw err;
      // a name that does not resolve may resolve tomorrow; an address refused stays refused
      throw new WebhookFailed(`refused: ${err.detail}`, err.code !== 'webhook_unresolvable');
    });
    await postWebhook(target, secret, n.notificationId, JSON.stringify(n.payload));
  }
}
