import type { FastifyReply, FastifyRequest } from 'fastify';
import { h, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Principal } from '../api/auth';
import { callerOf } from '../api/auth';
import { localizeRefusal } from '../domain/localize';
import type { Refusal } from '../domain/refusal';
import type { FieldErrors } from './views/ui';
import { NamesContext, noNames, type Names } from './views/names';

/** What a console handler works with: the signed-in reader, its CSRF token for the page's forms. */
export interface Viewer {
  user: Principal;
  csrf: string;
  /** the names the page shows éditeurs and solutions by */
  names: Names;
}

export function viewer(request: FastifyRequest, reply: FastifyReply): Viewer {
  return { user: request.principal, csrf: reply.generateCsrf(), names: request.consoleNames ?? noNames };
}

export const callerOfViewer = (v: Viewer) => callerOf(v.user);

/** A page, rendered on the server (its only script the design system's own), nothing cached (it shows money and personal data). */
export function sendPage(reply: FastifyReply, page: VNode, status = 200) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html>${renderToString(h(NamesContext.Provider, { value: reply.request.consoleNames ?? noNames }, page))}`,
    );
}

/** Refusals in French, by the field they are about (the form's fields are named by the same paths). */
export function fieldErrors(refusals: Refusal[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const r of refusals) (errors[r.path] ??= []).push(localizeRefusal(r, 'fr').message);
  return errors;
}

/** The value of a form field (forms arrive as strings; a repeated name keeps its first value). */
export function field(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (first && typeof first === 'object' && 'value' in first)
    return String((first as { value: unknown }).value ?? '').trim();
  return typeof first === 'string' ? first.trim() : '';
}

/** Every value a form sent under one name (a checked box per row). */
export function fieldValues(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
}

/** The query string of a URL's search params, without empty values. */
export function queryOf(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  const s = q.toString();
  return s ? `?${s}` : '';
}
