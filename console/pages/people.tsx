import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { listPeople, personName, type Person } from '../../client/people';
import { say } from '../../domain/messages';
import { refuse } from '../../domain/refusal';
import { ActionSection, takeAction, type Focus } from '../actions';
import type { ConsoleDeps } from '../context';
import { sendPage, viewer, type Viewer } from '../http';
import { Page, roleFr } from '../views/layout';
import { Alert, Table, When } from '../views/ui';
import { doneOf, peopleActions } from './people-actions';

const HOME = '/console/personnes';
const PERSON_ID = /^p-[0-9a-f]{24}$/;

const hrefOf = (p: Pick<Person, 'personId'>) => `${HOME}/${p.personId}`;
const editeurOf = (p: Person) => p.grants.find((g) => g.role === 'editeur')?.editeurId;
const rolesFr = (p: Person) => p.grants.map((g) => roleFr[g.role] ?? g.role).join(', ') || 'aucun';

const StatusBadge = ({ status }: { status: Person['status'] }) =>
  status === 'active' ? (
    <span class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--success">Active</span>
  ) : (
    <span class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--error">Désactivée</span>
  );

/** Who granted: a person by its name, the seed of the demo people or a service account by its id. */
const byName = (people: Person[], id: string) => {
  const p = people.find((x) => x.personId === id);
  return p ? personName(p) : id === 'seed' ? 'à l’installation' : id;
};

function PeoplePage({ v, people, search }: { v: Viewer; people: Person[]; search?: string }) {
  return (
    <Page title="Personnes" user={v.user} csrf={v.csrf} active={HOME}>
      <p>
        Les personnes qui se connectent par le fournisseur d’identité, et leurs rôles. Un rôle attribué ou retiré, une
        personne désactivée, valent dès la page suivante de la personne.
      </p>
      <form method="get" action={HOME} class="fr-search-bar fr-mb-3w" role="search">
        <label class="fr-label" for="recherche">
          Rechercher (nom, courriel, SIRET)
        </label>
        <input class="fr-input" id="recherche" name="recherche" type="search" value={search ?? ''} />
        <button class="fr-btn" type="submit">
          Rechercher
        </button>
      </form>
      <Table
        caption="Personnes"
        head={['Nom', 'Courriel', 'Éditeur', 'Rôles', 'Statut']}
        rows={people.map((p) => [
          <a href={hrefOf(p)}>{personName(p)}</a>,
          p.email ?? '—',
          editeurOf(p) ?? '—',
          rolesFr(p),
          <StatusBadge status={p.status} />,
        ])}
      />
    </Page>
  );
}

function PersonPage({
  v,
  person,
  people,
  done,
  focus,
}: {
  v: Viewer;
  person: Person;
  people: Person[];
  done?: string;
  focus?: Focus;
}) {
  return (
    <Page title={personName(person)} user={v.user} csrf={v.csrf} active={HOME}>
      <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
        <ol class="fr-breadcrumb__list">
          <li>
            <a class="fr-breadcrumb__link" href={HOME}>
              Personnes
            </a>
          </li>
          <li>
            <a class="fr-breadcrumb__link" aria-current="page">
              {personName(person)}
            </a>
          </li>
        </ol>
      </nav>
      {done ? <Alert kind="success" title={done} /> : null}
      <dl class="sons-dl">
        <dt>Courriel</dt>
        <dd>{person.email ?? '—'}</dd>
        <dt>SIRET</dt>
        <dd>{person.siret ?? '—'}</dd>
        <dt>Éditeur</dt>
        <dd>{editeurOf(person) ?? '—'}</dd>
        <dt>Statut</dt>
        <dd>
          <StatusBadge status={person.status} />
        </dd>
        <dt>Dernière connexion</dt>
        <dd>
          <When at={person.lastSignInAt} />
        </dd>
        <dt>Identifiant</dt>
        <dd>
          <code>{person.personId}</code>
        </dd>
      </dl>
      <Table
        caption="Rôles"
        head={['Rôle', 'Éditeur', 'Attribué par', 'Le']}
        rows={person.grants.map((g) => [
          roleFr[g.role] ?? g.role,
          g.editeurId ?? '—',
          byName(people, g.grantedBy),
          <When at={g.grantedAt} />,
        ])}
      />
      <section aria-labelledby="actions" class="fr-mt-4w">
        <h2 id="actions" class="fr-h4">
          Actions
        </h2>
        {peopleActions(person).map((a) => (
          <ActionSection
            action={a}
            url={`${hrefOf(person)}/${a.slug}`}
            csrf={v.csrf}
            focus={focus}
            cancelHref={hrefOf(person)}
          />
        ))}
      </section>
    </Page>
  );
}

/**
 * « Personnes », for admins: the people who sign in and their roles; from a person's page, a role
 * granted or revoked, the person disabled or enabled again — each confirmed first, through the same
 * engine services as the API's `/people` (client/people.ts), the refusals said next to their field.
 */
export function peoplePages(app: Api, { engine }: ConsoleDeps) {
  const personOf = async (request: FastifyRequest) => {
    const { personId } = request.params as { personId: string };
    const [person] = PERSON_ID.test(personId) ? await listPeople(engine, { personId }) : [];
    if (!person) throw refuse('not_found', say('unknown_person', { personId }), 'personId', personId);
    // the others, to name who granted each role
    return { person, people: await listPeople(engine) };
  };

  app.get(HOME, { config: { sessionRoles: who.admins }, schema: { hide: true } }, async (request, reply) => {
    const asked = (request.query as { recherche?: unknown }).recherche;
    // one string: a name sent twice keeps its first
    const search = String((Array.isArray(asked) ? asked[0] : asked) ?? '')
      .trim()
      .slice(0, 100);
    const people = await listPeople(engine, search ? { search } : {});
    return sendPage(reply, <PeoplePage v={viewer(request, reply)} people={people} search={search} />);
  });

  app.get(
    `${HOME}/:personId`,
    { config: { sessionRoles: who.admins }, schema: { hide: true } },
    async (request, reply) => {
      const { person, people } = await personOf(request);
      const done = doneOf((request.query as { fait?: string }).fait);
      return sendPage(
        reply,
        <PersonPage v={viewer(request, reply)} person={person} people={people} {...(done ? { done } : {})} />,
      );
    },
  );

  app.post(
    `${HOME}/:personId/:action`,
    { config: { sessionRoles: who.admins }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { person, people } = await personOf(request);
      const action = peopleActions(person).find((a) => a.slug === (request.params as { action: string }).action);
      if (!action) return reply.callNotFound();
      return takeAction(request, reply, engine, {
        action,
        subject: person,
        page: (v, focus) => <PersonPage v={v} person={person} people={people} focus={focus} />,
        doneUrl: `${hrefOf(person)}?fait=${action.slug}`,
      });
    },
  );
}
