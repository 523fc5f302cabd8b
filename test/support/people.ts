import type { BrowserContext, Page } from 'playwright-core';
import { personIdOf } from '../../db/people';
import type { browserPerFile } from './browser';
import type { harnessPerFile } from './harness';

/**
 * People in a real browser against the real local provider (harness option `people: {}`, the demo
 * people of identity/demo-people.json): signing in at the provider's page, a fresh browser per person.
 */

/**
 * (The tests' provider knows the people of test/support/people.json: the demo people, and one person
 * for each test éditeur.) Who signs in to the console for each role the API's tokens stand for (h.api.tokens): the person a
 * test acts as where a machine would use the token.
 */
export const people = {
  operator: 'claire.martin',
  ordonnateur: 'paul.durand',
  ordonnateur2: 'sophie.bernard',
  comptable: 'luc.petit',
  controleur: 'nadia.haddad',
  admin: 'admin.local',
  acme: 'marc.lefevre',
  rival: 'ines.roux',
} as const;

/** The one-time code of the tests' provider: a person with a second factor signs in with it. */
export const otp = '123456';

/** Signs in at the provider's own page as a demo person (password « demo », code 123456 for a second factor). */
export async function signIn(page: Page, login: string, { otp }: { otp?: string } = {}) {
  await page.goto('/console/');
  await page.getByRole('link', { name: 'S’identifier avec ProConnect' }).click();
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill('demo');
  if (otp) await page.getByLabel(/Code à usage unique/).fill(otp);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/console\/(bdc)?$/);
}

type Harness = ReturnType<typeof harnessPerFile>;

/** A page in a browser context of its own (its own cookies: its own person), closed after `run`. */
export function pagesOf(h: Harness, browser: ReturnType<typeof browserPerFile>) {
  return async function withPage<T>(run: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
    const context = await browser.context({ baseURL: h.api.url, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    try {
      return await run(await context.newPage(), context);
    } finally {
      await context.close();
    }
  };
}

/** A demo person's id, from the local provider's issuer and its subject (`demo-claire-martin`…). */
export async function demoPersonId(h: Harness, subject: string): Promise<string> {
  const [row] = await h.ledger.sql.query<{ issuer: string }>('SELECT issuer FROM people WHERE subject = $1', [subject]);
  return personIdOf(row!.issuer, subject);
}
