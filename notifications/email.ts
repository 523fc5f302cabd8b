import nodemailer, { type Transporter } from 'nodemailer';

/** Emails through an SMTP server (SMTP_URL): plain text in French, a Message-ID from the notification's key. */
export interface Mailer {
  send(message: { id: string; to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

/**
 * The SMTP client's timeouts, well within the hold a delivery takes (the dispatcher's emailTimeoutMs,
 * 2 minutes): nodemailer otherwise waits 2 minutes to connect and 10 to hear from a silent server.
 * Given as the URL's query (nodemailer reads its options there), unless SMTP_URL sets them itself.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const url = new URL(smtpUrl);
  for (const [option, ms] of Object.entries(SMTP_TIMEOUTS))
    if (!url.searchParams.has(option)) url.searchParams.set(option, String(ms));
  const transport: Transporter = nodemailer.createTransport(url.toString());
  return {
    async send({ id, to, subject, text }) {
      // the same notification sent again carries the same Message-ID: a mailbox can tell the repetition
      await transport.sendMail({
        from,
        to,
        subject,
        text,
        messageId: `<${id.replace(/[^A-Za-z0-9._-]/g, '.')}@sons-engine>`,
        headers: { 'X-Sons-Notification': id },
      });
    },
    close: () => transport.close(),
  };
}
