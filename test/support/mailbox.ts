import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { freePort } from '../../scripts/free-port';
import { maildirMessages, startMailSink, type MailSink } from '../../notifications/mail-sink';

/** A real SMTP server (aiosmtpd) for a test file, and the messages it received, parsed. */
export interface Mailbox {
  url: string;
  messages(): Promise<
    { subject: string; to: string; text: string; messageId: string; headers: Map<string, unknown> }[]
  >;
  stop(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const sink: MailSink = await startMailSink({
    dir: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-mail-')), 'maildir'),
    port: await freePort(),
  });
  return {
    url: sink.url,
    async messages() {
      return Promise.all(
        maildirMessages(sink.dir).map(async (raw) => {
          const m = await simpleParser(raw);
          return {
            subject: m.subject ?? '',
            to: Array.isArray(m.to) ? m.to.map((t) => t.text).join(', ') : (m.to?.text ?? ''),
            text: m.text ?? '',
            messageId: m.messageId ?? '',
            headers: m.headers,
          };
        }),
      );
    },
    stop: () => sink.stop(),
  };
}
