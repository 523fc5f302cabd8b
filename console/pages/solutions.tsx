import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { listSolutions, nameSolution } from '../../client/solutions';
import { civilDateFr } from '../../domain/french';
import { referencementFr } from '../../domain/messages';
import { RefusedError } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { Alert, Csrf, EditeurName, ErrorSummary, Input, SendOrBack, Table, type FieldErrors } from '../views/ui';

const LIST = '/console/solutions';
const naming = (solutionId: string) => `${LIST}/${encodeURIComponent(solutionId)}/nom`;

/**
 * Solutions by their names (issue 22): an éditeur names its own solutions (« Mes solutions »), and
 * every page then shows the name where the id was; the ASP reads every solution with its
 * référencement, and records the ANS's decision for one from here.
 */
export function solutionPages(app: Api, deps: ConsoleDeps) {
  const list = async (v: Viewer, named?: string) => {
    const editeur = v.user.role === 'editeur';
    const solutions = await listSolutions(deps.engine, callerOfViewer(v));
    const decided = (s: (typeof solutions)[number]) =>
      `${referencementFr[s.state] ?? s.state}${s.decidedOn ? ` le ${civilDateFr(s.decidedOn)}` : ''}`;
    return (
      <Page title={editeur ? 'Mes solutions' : 'Solutions'} user={v.user} csrf={v.csrf} active={LIST}>
        {/* said only of a solution the reader names (the address is anyone's to write) */}
        {named && editeur && solutions.some((s) => s.solutionId === named && s.name) ? (
          <Alert kind="success" title="Nom enregistré">
            <p>La solution {named} porte désormais ce nom sur toutes les pages.</p>
          </Alert>
        ) : null}
        <p>
          {editeur
            ? 'Vos solutions, connues de l’ASP dès l’enregistrement d’un premier bon de commande. Nommez-les : l’ASP et vos pages les désignent par ce nom.'
            : 'Les solutions des éditeurs, avec le nom que leur éditeur leur a donné et leur référencement par l’ANS.'}
        </p>
        <Table
          caption={editeur ? 'Mes solutions' : 'Solutions'}
          head={
            editeur
              ? ['Identifiant', 'Nom', 'Référencement', 'Action']
              : ['Identifiant', 'Nom', 'Éditeur', 'Référencement', 'Action']
          }
          rows={solutions.map((s) => {
            const action = editeur ? (
              <a class="fr-link" href={naming(s.solutionId)}>
                {s.name ? 'Renommer' : 'Nommer'}
                <span class="fr-sr-only"> la solution {s.solutionId}</span>
              </a>
            ) : s.state === 'pending' ? (
              <a
                class="fr-link"
                href={`${LIST}/${encodeURIComponent(s.solutionId)}/decision?editeur=${encodeURIComponent(s.editeurId)}`}
              >
                Enregistrer la décision de l’ANS<span class="fr-sr-only"> pour la solution {s.solutionId}</span>
              </a>
            ) : (
              '—'
            );
            const name = s.name ?? <em>sans nom</em>;
            return editeur
              ? [<code>{s.solutionId}</code>, name, decided(s), action]
              : [<code>{s.solutionId}</code>, name, <EditeurName id={s.editeurId} />, decided(s), action];
          })}
        />
      </Page>
    );
  };

  const nameForm = async (v: Viewer, solutionId: string, value?: string, errors?: FieldErrors) => {
    const mine = (await listSolutions(deps.engine, callerOfViewer(v))).find((s) => s.solutionId === solutionId);
    if (!mine) return undefined;
    return (
      <Page title={`Nommer la solution ${solutionId}`} user={v.user} csrf={v.csrf} active={LIST}>
        <form method="post" action={naming(solutionId)} noValidate>
          <Csrf token={v.csrf} />
          <ErrorSummary errors={errors} />
          <Input
            name="name"
            label="Nom de la solution"
            hint="Tel que vos clients le connaissent, version comprise si besoin (120 caractères au plus)."
            value={value ?? mine.name ?? ''}
            errors={errors}
            required
          />
          <SendOrBack send="Enregistrer" back={LIST} />
        </form>
      </Page>
    );
  };

  app.get(
    LIST,
    { config: { sessionRoles: who.editeursAndOperators }, schema: { hide: true } },
    async (request, reply) =>
      sendPage(reply, await list(viewer(request, reply), (request.query as { nomme?: string }).nomme)),
  );

  app.get(
    `${LIST}/:solutionId/nom`,
    { config: { sessionRoles: who.editeurs }, schema: { hide: true } },
    async (request, reply) => {
      const { solutionId } = request.params as { solutionId: string };
      const form = await nameForm(viewer(request, reply), solutionId);
      // another éditeur's solution is not named here: it answers as no page
      return form ? sendPage(reply, form) : reply.callNotFound();
    },
  );

  app.post(
    `${LIST}/:solutionId/nom`,
    { config: { sessionRoles: who.editeurs }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const { solutionId } = request.params as { solutionId: string };
      const name = field(request.body, 'name');
      try {
        await nameSolution(deps.engine, callerOfViewer(v), solutionId, name);
      } catch (err) {
        if (!(err instanceof RefusedError)) throw err;
        const form = await nameForm(v, solutionId, name, fieldErrors(err.refusals));
        return form ? sendPage(reply, form, 422) : reply.callNotFound();
      }
      return reply.redirect(`${LIST}?nomme=${encodeURIComponent(solutionId)}`, 303);
    },
  );
}
