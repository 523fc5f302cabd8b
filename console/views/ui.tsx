import type { ComponentChildren } from 'preact';
import { deadlineFr, statusFr } from '../../domain/messages';
import { eurosFr, parisDateFr, parisDateTimeFr, timeLeftFr } from '../../domain/french';
import { useBdcLabel, useEditeurName, useSolutionLabel } from './names';

/** Small pieces every page uses: money, dates, statuses, form fields with their errors, tables. */

export const Euros = ({ cents }: { cents: number | undefined }) => (
  <span class="sons-money">{cents === undefined ? '—' : eurosFr(cents)}</span>
);

export const When = ({ at, withTime = true }: { at: string | undefined; withTime?: boolean }) =>
  at ? <time dateTime={at}>{withTime ? parisDateTimeFr(at) : parisDateFr(at)}</time> : <span>—</span>;

/** A deadline with the time left before it (or since it passed). */
export const Deadline = ({ at, now }: { at: string; now: number }) => (
  <span>
    <When at={at} /> <span class="fr-text--sm sons-muted">({timeLeftFr(at, now)})</span>
  </span>
);

const statusBadge: Record<string, string> = {
  completed: 'fr-badge--success',
  reimbursed: 'fr-badge--success',
  awaiting_va: 'fr-badge--info',
  awaiting_referencement: 'fr-badge--info',
  advance_issued: 'fr-badge--info',
  reimbursement_due: 'fr-badge--warning',
  needs_attention: 'fr-badge--error',
  lapsed: 'fr-badge--error',
  rejected: 'fr-badge--error',
  cancelled: 'fr-badge--new',
};

export const Status = ({ status, overdue }: { status: string; overdue?: boolean }) => (
  <span>
    <span class={`fr-badge fr-badge--sm fr-badge--no-icon ${statusBadge[status] ?? ''}`}>
      {statusFr[status] ?? status}
    </span>
    {overdue ? <span class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--error sons-ml">En retard</span> : null}
  </span>
);

export const deadlineName = (name: string) => deadlineFr[name] ?? name;

/** The id of a form field from its name (dots are not welcome in ids used by labels' `for`). */
export const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

export interface FieldErrors {
  [path: string]: string[] | undefined;
}

/** The messages for a field, and for anything below it (`va.essms.0` holds `va.essms.0.finess`'s). */
function messagesAt(errors: FieldErrors | undefined, name: string, below = false): string[] {
  if (!errors) return [];
  return Object.entries(errors).flatMap(([path, list]) =>
    path === name || (below && path.startsWith(`${name}.`)) ? (list ?? []) : [],
  );
}

export function FieldError({ errors, name, below }: { errors?: FieldErrors; name: string; below?: boolean }) {
  const list = messagesAt(errors, name, below);
  if (!list.length) return null;
  return (
    <p class="fr-error-text" id={`${fieldId(name)}-erreur`}>
      {list.join(' ; ')}
    </p>
  );
}

interface InputProps {
  name: string;
  label: string;
  value?: string;
  hint?: string;
  type?: string;
  errors?: FieldErrors;
  required?: boolean;
  inputMode?: 'decimal' | 'numeric' | 'text';
  readOnly?: boolean;
  autoComplete?: string;
  accept?: string;
  min?: string;
  max?: string;
  /** the id of a <datalist> whose entries the browser offers as the reader types */
  list?: string;
}

export function Input({
  name,
  label,
  value,
  hint,
  type = 'text',
  errors,
  required,
  inputMode,
  readOnly,
  autoComplete,
  accept,
  min,
  max,
  list,
}: InputProps) {
  const failed = messagesAt(errors, name).length > 0;
  const id = fieldId(name);
  return (
    <div class={`fr-input-group${failed ? ' fr-input-group--error' : ''}`}>
      <label class="fr-label" for={id}>
        {label}
        {required ? ' *' : ''}
        {hint ? <span class="fr-hint-text">{hint}</span> : null}
      </label>
      <input
        class={`fr-input${failed ? ' fr-input--error' : ''}`}
        id={id}
        name={name}
        type={type}
        value={type === 'file' ? undefined : value}
        required={required}
        inputMode={inputMode}
        readOnly={readOnly}
        autoComplete={autoComplete ?? 'off'}
        accept={accept}
        min={min}
        max={max}
        list={list}
        aria-invalid={failed ? 'true' : undefined}
        aria-describedby={failed ? `${id}-erreur` : undefined}
      />
      <FieldError errors={errors} name={name} />
    </div>
  );
}

export function Select({
  name,
  label,
  options,
  value,
  errors,
  required,
  hint,
  placeholder,
}: {
  name: string;
  label: string;
  options: [string, string][];
  value?: string;
  errors?: FieldErrors;
  required?: boolean;
  hint?: string;
  /** no option is chosen for the reader: this one, which sends nothing, shows until it chooses */
  placeholder?: string;
}) {
  const failed = messagesAt(errors, name).length > 0;
  const id = fieldId(name);
  return (
    <div class={`fr-select-group${failed ? ' fr-select-group--error' : ''}`}>
      <label class="fr-label" for={id}>
        {label}
        {required ? ' *' : ''}
        {hint ? <span class="fr-hint-text">{hint}</span> : null}
      </label>
      <select
        class={`fr-select${failed ? ' fr-select--error' : ''}`}
        id={id}
        name={name}
        required={required}
        aria-invalid={failed ? 'true' : undefined}
        aria-describedby={failed ? `${id}-erreur` : undefined}
      >
        {placeholder ? (
          <option value="" selected={!options.some(([v]) => v === value)} disabled hidden>
            {placeholder}
          </option>
        ) : null}
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
      <FieldError errors={errors} name={name} />
    </div>
  );
}

export function Checkbox({
  name,
  label,
  checked,
  errors,
  hint,
}: {
  name: string;
  label: string;
  checked?: boolean;
  errors?: FieldErrors;
  hint?: string;
}) {
  const failed = messagesAt(errors, name).length > 0;
  const id = fieldId(name);
  return (
    <div class={`fr-checkbox-group${failed ? ' fr-checkbox-group--error' : ''}`}>
      <input
        type="checkbox"
        id={id}
        name={name}
        value="oui"
        checked={checked}
        aria-invalid={failed ? 'true' : undefined}
        aria-describedby={failed ? `${id}-erreur` : undefined}
      />
      <label class="fr-label" for={id}>
        {label}
        {hint ? <span class="fr-hint-text">{hint}</span> : null}
      </label>
      <FieldError errors={errors} name={name} />
    </div>
  );
}

export const Csrf = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;
export const Hidden = ({ name, value }: { name: string; value: string }) => (
  <input type="hidden" name={name} value={value} />
);

export function Alert({
  kind,
  title,
  children,
}: {
  kind: 'success' | 'error' | 'info' | 'warning';
  title: string;
  children?: ComponentChildren;
}) {
  return (
    <div class={`fr-alert fr-alert--${kind} fr-mb-3w`} role={kind === 'error' ? 'alert' : 'status'}>
      <h2 class="fr-alert__title">{title}</h2>
      {children}
    </div>
  );
}

/** Every refusal of a form at its top, each linked to its field, as the design system advises. */
export function ErrorSummary({ errors, general }: { errors?: FieldErrors; general?: string[] }) {
  const fields = Object.entries(errors ?? {}).filter(([, list]) => list?.length);
  if (!fields.length && !general?.length) return null;
  return (
    <Alert kind="error" title="La demande est refusée">
      <ul>
        {(general ?? []).map((m) => (
          <li>{m}</li>
        ))}
        {fields.map(([path, list]) => (
          <li>
            <a href={`#${fieldId(path)}`}>{(list ?? []).join(' ; ')}</a>
          </li>
        ))}
      </ul>
    </Alert>
  );
}

/** A text of several lines (a description), its errors under it as an input's. */
export function Textarea({
  name,
  label,
  value,
  hint,
  errors,
  required,
  rows = 6,
}: {
  name: string;
  label: string;
  value?: string;
  hint?: string;
  errors?: FieldErrors;
  required?: boolean;
  rows?: number;
}) {
  const failed = messagesAt(errors, name).length > 0;
  const id = fieldId(name);
  return (
    <div class={`fr-input-group${failed ? ' fr-input-group--error' : ''}`}>
      <label class="fr-label" for={id}>
        {label}
        {required ? ' *' : ''}
        {hint ? <span class="fr-hint-text">{hint}</span> : null}
      </label>
      <textarea
        class={`fr-input${failed ? ' fr-input--error' : ''}`}
        id={id}
        name={name}
        rows={rows}
        required={required}
        aria-invalid={failed ? 'true' : undefined}
        aria-describedby={failed ? `${id}-erreur` : undefined}
      >
        {value ?? ''}
      </textarea>
      <FieldError errors={errors} name={name} />
    </div>
  );
}

/** A column's heading: its text, or a link that sorts by it (its current order told to screen readers). */
export type Heading = string | { label: ComponentChildren; sort?: 'ascending' | 'descending' };

export function Table({
  caption,
  head,
  rows,
  id,
}: {
  caption: string;
  head: Heading[];
  rows: ComponentChildren[][];
  id?: string;
}) {
  return (
    <div class="fr-table fr-table--no-caption" id={id}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) =>
              typeof h === 'string' ? (
                <th scope="col">{h}</th>
              ) : (
                <th scope="col" aria-sort={h.sort}>
                  {h.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {rows.length ? (
            rows.map((cells) => (
              <tr>
                {cells.map((c) => (
                  <td>{c}</td>
                ))}
              </tr>
            ))
          ) : (
            <tr>
              <td colSpan={head.length}>Aucun élément.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Horizontal bars in SVG, drawn on the server (no script): labelled for screen readers, with the
 * figures written beside each bar.
 */
export function BarChart({
  title,
  bars,
  format,
}: {
  title: string;
  bars: { label: string; value: number }[];
  format: (v: number) => string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowHeight = 28;
  const labelWidth = 220;
  const width = 640;
  const barSpace = width - labelWidth - 140;
  return (
    <figure class="sons-chart">
      <svg
        role="img"
        aria-label={`${title} : ${bars.map((b) => `${b.label} ${format(b.value)}`).join(', ')}`}
        viewBox={`0 0 ${width} ${Math.max(1, bars.length) * rowHeight + 8}`}
        width="100%"
      >
        {bars.map((b, i) => (
          <g transform={`translate(0, ${i * rowHeight + 4})`}>
            <text x={labelWidth - 8} y={18} text-anchor="end" font-size="13" fill="#161616">
              {b.label}
            </text>
            <rect x={labelWidth} y={4} height={18} width={Math.max(2, (b.value / max) * barSpace)} fill="#000091" />
            <text x={labelWidth + Math.max(2, (b.value / max) * barSpace) + 6} y={18} font-size="13" fill="#161616">
              {format(b.value)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption class="fr-text--sm">{title}</figcaption>
    </figure>
  );
}

/** An éditeur as people know it: by its enrolled name, else its id. */
export const EditeurName = ({ id }: { id: string }) => <>{useEditeurName()(id)}</>;

/** A solution as the page's reader knows it: its éditeur's name for it, with its id. */
export const SolutionName = ({ id }: { id: string }) => <>{useSolutionLabel()(id)}</>;

/** A form's two ways out: send it (absent: only the way back) or go back where the reader came from. */
export function SendOrBack({ send, back }: { send?: string; back: string }) {
  return (
    <ul class="fr-btns-group fr-btns-group--inline">
      {send ? (
        <li>
          <button class="fr-btn" type="submit">
            {send}
          </button>
        </li>
      ) : null}
      <li>
        <a class="fr-btn fr-btn--secondary" href={back}>
          Retour
        </a>
      </li>
    </ul>
  );
}

/** A link to a BDC's page, named as people call it (its reference and éditeur), never by its machine id. */
export const BdcLink = ({ id }: { id: string }) => (
  <a href={`/console/bdc/${encodeURIComponent(id)}`}>{useBdcLabel(id)}</a>
);
