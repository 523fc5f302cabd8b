import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type pino from 'pino';
import { Notifications, type Outgoing } from '../db/notifications';
import type { Sql } from '../db/sql';
import { CircuitBreaker } from './circuit-breaker';
import type { Mailer } from './email';
import { secretOwner, type SecretBox } from './secret-box';
import { postWebhook, WebhookFailed } from './webhook';
import { resolveTarget, WebhookRefused, type WebhookPolicy } from './webhook-target';

/** Attempts before a notification is given up (failed, visible to operators): about a day of backoff. */
export const MAX_ATTEMPTS = 12;
/** The wait before attempt n+1: 5 s, 10 s, 20 s… at most an hour. */
export const retryDelaySeconds = (attempts: number) => Math.min(3_600, 5 * 2 ** attempts);

/** Beyond a delivery's own bound, what its hold keeps in reserve (a slow database write, a busy event loop). */
const HOLD_MARGIN_SECONDS = 30;

type Channel = Outgoing['channel'];

export interface DispatcherOptions {
  mailer?: Mailer;
  logger: pino.Logger;
  /** how often the outbox is looked at */
  everyMs?: number;
  /** where webhooks may go and the box their secrets are sealed in; absent, webhooks wait */
  webhooks?: { policy: WebhookPolicy; secrets: SecretBox };
  /** how long a take holds the notifications it found until their delivery starts */
  takeLeaseSeconds?: number;
  /** the bound of one webhook delivery, its answer included */
  webhookTimeoutMs?: number;
  /** the bound an email's hold is sized for (the SMTP client's own timeouts are below it: notifications/email.ts) */
  emailTimeoutMs?: number;
}

/**
 * Delivers the outbox. Each recipient has its own queue: a webhook address, or the SMTP server for
 * emails, delivered a few at a time (PER_RECIPIENT), and each channel has its own slots and its own
 * room among the notifications held — so a slow or dead endpoint delays only its own notifications,
 * and emails never wait behind webhooks. A recipient whose deliveries keep failing is paused (a
 * circuit breaker); its notifications wait without spending their attempts.
 *
 * What holds under several dispatchers (several workers): a take holds what it found under a token of
 * its own for `takeLeaseSeconds`; before each delivery, the hold is extended by that delivery's own
 * bound plus a margin — only while the token is still the take's (Notifications.claim). So a hold
 * never lapses under a running delivery, and a notification another dispatcher took meanwhile is not
 * delivered here: one delivery at a time. A dispatcher that dies after the receiver answered, before
 * it recorded the delivery, leaves the notification to be delivered again once its hold lapses — at
 * least once, then: a webhook carries the same `Idempotency-Key` each time (its receiver dedupes on
 * it), an email the same Message-ID.
 */
export class NotificationDispatcher {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;
  private readonly outbox: Notifications;
  private readonly breaker = new CircuitBreaker();
  /** the deliveries of each recipient, a few at a time */
  private readonly queues = new Map<string, ReturnType<typeof pLimit>>();
  /** what this dispatcher holds (queued or under way), per channel and per address */
  private readonly held: Record<Channel, Map<string, number>> = { email: new Map(), webhook: new Map() };
  private readonly inFlight = new Set<Promise<void>>();

  /** notifications a channel holds at once; the addresses one dispatcher queues at most so many of */
  static readonly CAPACITY: Record<Channel, number> = { email: 50, webhook: 100 };
  static readonly PER_RECIPIENT: Record<Channel, number> = { email: 4, webhook: 2 };
  static readonly HELD_PER_ADDRESS = 10;

  constructor(
    sql: Sql,
    private readonly options: DispatcherOptions,
  ) {
    this.outbox = new Notifications(sql);
  }

  start(): void {
    const every = this.options.everyMs ?? 2_000;
    const loop = () => {
      const round = this.tick().then(
        () => undefined,
        (err: unknown) =>
          this.options.logger.warn({ err: (err as Error).message }, 'notifications not taken this time'),
      );
      this.running = round;
      void round.finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(loop, every);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops taking; the deliveries under way end (each within its bound), those still queued are put back. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopping = true;
    await this.running;
    await Promise.all([...this.inFlight]);
    this.options.mailer?.close();
  }

  /** One look at the outbox: takes what each channel has room for and queues it; answers how many it took. */
  async tick(): Promise<number> {
    let taken = 0;
    for (const channel of ['email', 'webhook'] as const) {
      const holding = [...this.held[channel].values()].reduce((a, b) => a + b, 0);
      const room = NotificationDispatcher.CAPACITY[channel] - holding;
      if (room <= 0 || this.stopping) continue;
      const token = randomUUID();
      const due = await this.outbox.takeDue(channel, room, {
        holdSeconds: this.options.takeLeaseSeconds ?? 60,
        token,
        perAddress: NotificationDispatcher.HELD_PER_ADDRESS,
        skip: [...this.held[channel]]
          .filter(([, n]) => n >= NotificationDispatcher.HELD_PER_ADDRESS)
          .map(([address]) => address),
      });
      for (const n of due) this.queue(n, token);
      taken += due.length;
    }
    return taken;
  }

  private queue(n: Outgoing, token: string): void {
    const recipient = n.channel === 'email' ? 'smtp' : `webhook ${n.address}`;
    let queue = this.queues.get(recipient);
    if (!queue) {
      queue = pLimit(NotificationDispatcher.PER_RECIPIENT[n.channel]);
      this.queues.set(recipient, queue);
    }
    const address = n.address ?? '';
    const held = this.held[n.channel];
    held.set(address, (held.get(address) ?? 0) + 1);
    const done: Promise<void> = queue(() => this.attempt(n, token, recipient))
      .catch((err: unknown) =>
        this.options.logger.warn(
          { notification: n.notificationId, err: (err as Error).message },
          'delivery not recorded',
        ),
      )
      .finally(() => {
        const left = (held.get(address) ?? 1) - 1;
        if (left > 0) held.set(address, left);
        else held.delete(address);
        this.inFlight.delete(done);
        if (queue!.activeCount === 0 && queue!.pendingCount === 0) this.queues.delete(recipient);
      });
    this.inFlight.add(done);
  }

  private async attempt(n: Outgoing, token: string, recipient: string): Promise<void> {
    if (this.stopping) return this.outbox.putBack(n, token, 0);
    const paused = this.breaker.openFor(recipient);
    if (paused)
      return this.outbox.putBack(
        n,
        token,
        paused,
        `not tried: its recipient failed again and again; paused ${paused} s (circuit breaker)`,
      );
    const boundMs =
      n.channel === 'webhook' ? (this.options.webhookTimeoutMs ?? 10_000) : (this.options.emailTimeoutMs ?? 120_000);
    if (!(await this.outbox.claim(n, token, Math.ceil(boundMs / 1000) + HOLD_MARGIN_SECONDS))) return;
    try {
      await this.deliver(n, boundMs);
    } catch (err) {
      this.breaker.failed(recipient);
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
      await this.outbox.failed(n, token, (err as Error).message, retry);
      return;
    }
    this.breaker.succeeded(recipient);
    if (!(await this.outbox.delivered(n, token)))
      this.options.logger.warn({ notification: n.notificationId }, 'delivered, but its hold had lapsed');
  }

  private async deliver(n: Outgoing, boundMs: number): Promise<void> {
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
    await postWebhook(target, secret, n.notificationId, JSON.stringify(n.payload), boundMs);
  }
}
