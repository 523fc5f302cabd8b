import type { ComponentChildren } from 'preact';
import type { Principal } from '../../api/auth';
import { Csrf } from './ui';

/** The frame of every page: the State's design system (DSFR) header, the navigation of the reader's role, the footer. */

export const roleFr: Record<string, string> = {
  operator: 'Opérateur ASP',
  ordonnateur: 'Ordonnateur',
  comptable: 'Comptable',
  controleur: 'Contrôleur',
  admin: 'Administrateur',
  editeur: 'Éditeur',
};

const navigation: Record<string, [string, string][]> = {
  operator: [
    ['/console/', 'Tableau de bord'],
    ['/console/bdc', 'Bons de commande'],
    ['/console/campagnes', 'Campagnes'],
    ['/console/solutions', 'Solutions'],
    ['/console/controles', 'Contrôles'],
    ['/console/signalements', 'Signalements'],
    ['/console/imports', 'Imports'],
    ['/console/exports', 'Exports'],
  ],
  admin: [
    ['/console/', 'Tableau de bord'],
    ['/console/bdc', 'Bons de commande'],
    ['/console/campagnes', 'Campagnes'],
    ['/console/controles', 'Contrôles'],
    ['/console/signalements', 'Signalements'],
    ['/console/exports', 'Exports'],
    ['/console/journal', 'Journal'],
    ['/console/ordres-a-valider', 'Ordres à valider'],
    ['/console/paiements', 'Paiements'],
    ['/console/personnes', 'Personnes'],
  ],
  editeur: [
    ['/console/bdc', 'Mes bons de commande'],
    ['/console/solutions', 'Mes solutions'],
    ['/console/reversements', 'Contrôles et remboursements'],
    ['/console/coordonnees-bancaires', 'Coordonnées bancaires'],
    ['/console/notifications', 'Notifications'],
  ],
  comptable: [['/console/paiements', 'Paiements']],
  ordonnateur: [
    ['/console/ordres-a-valider', 'Ordres à valider'],
    ['/console/paiements', 'Paiements'],
    ['/console/coordonnees-bancaires/a-valider', 'Coordonnées à valider'],
  ],
  controleur: [
    ['/console/ordres-a-valider', 'Ordres à valider'],
    ['/console/paiements', 'Paiements'],
  ],
};

export interface PageProps {
  title: string;
  user?: Principal;
  /** the navigation entry to mark as the current page */
  active?: string;
  csrf?: string;
  /** seconds after which the page reloads itself (a batch's or an import's progress) */
  refresh?: number;
  children?: ComponentChildren;
}

export function Page({ title, user, active, csrf, refresh, children }: PageProps) {
  return (
    <html lang="fr">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {refresh ? <meta http-equiv="refresh" content={String(refresh)} /> : null}
        <title>{`${title} — SONS`}</title>
        <link rel="icon" href="/console/static/dsfr/favicon/favicon.svg" type="image/svg+xml" />
        <link rel="icon" href="/favicon.ico" sizes="any" />
        <link rel="apple-touch-icon" href="/console/static/dsfr/favicon/apple-touch-icon.png" />
        <link rel="stylesheet" href="/console/static/dsfr/dsfr.min.css" />
        <link rel="stylesheet" href="/console/static/console.css" />
      </head>
      <body>
        <div class="fr-skiplinks">
          <nav class="fr-container" role="navigation" aria-label="Accès rapide">
            <ul class="fr-skiplinks__list">
              <li>
                <a class="fr-link" href="#contenu">
                  Contenu
                </a>
              </li>
            </ul>
          </nav>
        </div>
        <header role="banner" class="fr-header">
          <div class="fr-header__body">
            <div class="fr-container">
              <div class="fr-header__body-row">
                <div class="fr-header__brand fr-enlarge-link">
                  <div class="fr-header__brand-top">
                    <div class="fr-header__logo">
                      <p class="fr-logo">
                        République
                        <br />
                        Française
                      </p>
                    </div>
                    {user ? (
                      // on a narrow screen the DSFR's script folds the navigation and the tools (sign-out
                      // included) into one menu this button opens
                      <div class="fr-header__navbar">
                        <button
                          class="fr-btn--menu fr-btn"
                          data-fr-opened="false"
                          aria-controls="menu-principal"
                          aria-haspopup="menu"
                          id="bouton-menu"
                          title="Menu"
                          type="button"
                        >
                          Menu
                        </button>
                      </div>
                    ) : null}
                  </div>
                  <div class="fr-header__service">
                    <a href="/console/" title="Accueil — SONS">
                      <p class="fr-header__service-title">SONS — bons de commande</p>
                    </a>
                    <p class="fr-header__service-tagline">Agence de services et de paiement</p>
                  </div>
                </div>
                {user ? (
                  <div class="fr-header__tools">
                    <div class="fr-header__tools-links">
                      <ul class="fr-btns-group">
                        <li>
                          <span
                            class="fr-btn fr-btn--tertiary-no-outline"
                            aria-label={`Connecté : ${user.name}, ${roleFr[user.role]}`}
                          >
                            {user.name} · {roleFr[user.role]}
                            {user.editeurId ? ` (${user.editeurId})` : ''}
                          </span>
                        </li>
                        <li>
                          <form method="post" action="/console/deconnexion">
                            {csrf ? <Csrf token={csrf} /> : null}
                            <button class="fr-btn fr-btn--tertiary" type="submit">
                              Se déconnecter
                            </button>
                          </form>
                        </li>
                      </ul>
                    </div>
                  </div>
                ) : null}
              </div>
            </div>
          </div>
          {user ? (
            <div class="fr-header__menu fr-modal" id="menu-principal" aria-labelledby="bouton-menu">
              <div class="fr-container">
                <button class="fr-btn--close fr-btn" aria-controls="menu-principal" title="Fermer" type="button">
                  Fermer
                </button>
                {/* the DSFR's script copies the header's tools here: who is signed in, « Se déconnecter » */}
                <div class="fr-header__menu-links" />
                <nav class="fr-nav" role="navigation" aria-label="Menu principal">
                  <ul class="fr-nav__list">
                    {(navigation[user.role] ?? []).map(([href, label]) => (
                      <li class="fr-nav__item">
                        <a class="fr-nav__link" href={href} aria-current={active === href ? 'page' : undefined}>
                          {label}
                        </a>
                      </li>
                    ))}
                  </ul>
                </nav>
              </div>
            </div>
          ) : null}
        </header>
        <main id="contenu" role="main" class="fr-container fr-py-4w">
          <h1>{title}</h1>
          {children}
        </main>
        <footer class="fr-footer" role="contentinfo">
          <div class="fr-container">
            <div class="fr-footer__body">
              <div class="fr-footer__content">
                <p class="fr-footer__content-desc">
                  Programme SONS (Ségur du numérique en santé, vague 1) — suivi des bons de commande par l’Agence de
                  services et de paiement. Les dates sont à l’heure de Paris ; les montants en euros TTC.
                </p>
              </div>
            </div>
            <div class="fr-footer__bottom">
              <ul class="fr-footer__bottom-list">
                <li class="fr-footer__bottom-item">
                  <a class="fr-footer__bottom-link" href="/console/aide">
                    Aide et glossaire
                  </a>
                </li>
                <li class="fr-footer__bottom-item">
                  <a class="fr-footer__bottom-link" href="/console/accessibilite">
                    Accessibilité : non conforme
                  </a>
                </li>
              </ul>
            </div>
          </div>
        </footer>
        {/* the design system's own behaviour (the header's menu on a phone), served by the app: no inline script */}
        <script type="module" src="/console/static/dsfr/dsfr.module.min.js" />
        <script noModule src="/console/static/dsfr/dsfr.nomodule.min.js" />
      </body>
    </html>
  );
}
