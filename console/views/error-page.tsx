import type { Principal } from '../../api/auth';
import { Page } from './layout';

const titles: Record<number, string> = {
  400: 'Demande incorrecte',
  401: 'Connexion requise',
  403: 'Accès refusé',
  404: 'Page introuvable',
  409: 'Action impossible',
  413: 'Fichier trop volumineux',
  422: 'Demande refusée',
  429: 'Trop de tentatives',
  503: 'Service momentanément indisponible',
};

/** Why a page could not be shown or an action was refused, in French, with a way back. */
export function ErrorPage({ user, status, messages }: { user?: Principal; status: number; messages: string[] }) {
  return (
    <Page title={titles[status] ?? 'Erreur'} user={user}>
      <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
        <h2 class="fr-alert__title">
          {status >= 500 ? 'Le service n’a pas pu traiter la demande' : 'La demande n’a pas abouti'}
        </h2>
        <ul>
          {messages.map((m) => (
            <li>{m}</li>
          ))}
        </ul>
      </div>
      <p>
        <a class="fr-link" href="/console/">
          Revenir à l’accueil
        </a>
      </p>
    </Page>
  );
}
