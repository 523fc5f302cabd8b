import nodemailer, { type Transporter } from 'nodemailer';

/** Emails through an SMTP server (SMTP_URL): plain text in French, a Message-ID from the notification's key. */
export interface Mailer {
  send(message: { id: string; to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
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
