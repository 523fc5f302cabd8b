import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Api } from '../../api/context';
import type { ConsoleDeps } from '../context';
import { sendPage } from '../http';
import { sessionUser } from '../session';
import { Page } from '../views/layout';

/** The programme's words, as the console and the ASP's letters use them (shared/DOMAIN.md). */
export const glossary: [term: string, meaning: string][] = [
  [
    'BDC (bon de commande)',
    'Commande signée par un organisme gestionnaire avec un éditeur pour mettre à jour le logiciel de ses établissements vers une version référencée Ségur. C’est l’unité de financement : chaque BDC a son plafond, son avance, son solde et ses échéances.',
  ],
  [
    'OG (organisme gestionnaire)',
    'La personne morale qui gère un ou plusieurs établissements, identifiée par son FINESS juridique. Elle signe le BDC et la VA ; elle peut faire un signalement sur le devis d’un éditeur.',
  ],
  [
    'ESSMS',
    'Établissement ou service social ou médico-social, identifié par son FINESS géographique. Un BDC couvre un ou plusieurs ESSMS de l’OG ; un ESSMS n’est financé qu’une fois dans la vague.',
  ],
  [
    'Référencement',
    'Décision de l’Agence du numérique en santé (ANS) attestant qu’une solution respecte les exigences du Ségur. Il vaut pour la solution, donc pour tous ses BDC. Aucun paiement avant lui ; sans dossier déposé dans les 120 jours suivant la commande, ou en cas de refus, le BDC devient caduc.',
  ],
  [
    'VA (vérification d’aptitude)',
    'Attestation signée par le représentant légal de l’OG, une fois la prestation terminée, que le logiciel est déployé dans chaque ESSMS du BDC, avec les indicateurs demandés. L’éditeur la transmet avec sa facture avant la date de clôture.',
  ],
  [
    'Avance',
    'Premier versement à l’éditeur, 30 % du montant financé, ordonné dès que le BDC est accepté et la solution référencée. Elle est à rembourser si la VA n’arrive pas valide avant la clôture.',
  ],
  [
    'Solde',
    'Second versement, le reste du montant financé (70 % du plafond au plus), ordonné sur une VA et une facture valides reçues avant la date de clôture.',
  ],
  [
    'Ordonnateur',
    'Agent qui constate qu’une somme est due et en ordonne le paiement ou le recouvrement : il valide les ordres de paiement, les demandes de remboursement et les abandons proposés par un autre que lui (contrôle à quatre yeux).',
  ],
  [
    'Comptable',
    'Agent comptable qui contrôle et paie : il met en paiement les ordres validés et enregistre les réponses de la banque et les remboursements reçus. Une même personne ne peut être ordonnateur et comptable.',
  ],
];

/** What each person does here, in the order they meet the console. */
const journeys: [who: string, steps: string][] = [
  [
    'Gestionnaire (opérateur)',
    'Enregistre les BDC et les décisions de référencement de l’ANS, suit les échéances sur le tableau de bord, examine les BDC « À examiner », modifie le calendrier d’une campagne par un avenant (simulé d’abord), importe les extractions FINESS.',
  ],
  [
    'Éditeur',
    'Consulte ses seuls BDC, dépose la VA signée et la facture (les motifs d’un refus s’affichent à côté des champs), déclare le dépôt de son dossier de référencement.',
  ],
  [
    'Ordonnateur et comptable',
    'L’ordonnateur valide ou rejette les sommes proposées ; le comptable les met en paiement et enregistre les remboursements reçus.',
  ],
  [
    'Organisme gestionnaire',
    'Sans compte : peut signaler le devis d’un éditeur depuis la page publique « Signalement ».',
  ],
  [
    'Administrateur',
    'Gère les accès et lit l’historique d’un BDC dans l’interface Web de Temporal, en clair, connecté à la console.',
  ],
];

async function publicPage(request: FastifyRequest, reply: FastifyReply, deps: ConsoleDeps) {
  const user = await sessionUser(request, deps);
  return { user: user ?? undefined, csrf: user ? reply.generateCsrf() : undefined };
}

/** « Aide » (glossary, journeys) and « Accessibilité » (the RGAA statement): public, as a State service publishes them. */
export function helpPages(app: Api, deps: ConsoleDeps) {
  app.get(
    '/console/aide',
    { config: { public: true, unthrottled: true }, schema: { hide: true } },
    async (request, reply) => {
      const { user, csrf } = await publicPage(request, reply, deps);
      return sendPage(
        reply,
        <Page title="Aide" user={user} csrf={csrf} active="/console/aide">
          <h2 class="fr-h4" id="glossaire">
            Glossaire du programme
          </h2>
          <dl>
            {glossary.map(([term, meaning]) => (
              <>
                <dt class="fr-text--bold">{term}</dt>
                <dd class="fr-mb-2w">{meaning}</dd>
              </>
            ))}
          </dl>
          <h2 class="fr-h4" id="parcours">
            Qui fait quoi
          </h2>
          <dl>
            {journeys.map(([who, steps]) => (
              <>
                <dt class="fr-text--bold">{who}</dt>
                <dd class="fr-mb-2w">{steps}</dd>
              </>
            ))}
          </dl>
          <p>
            Les dates sont à l’heure de Paris ; les montants en euros TTC. Voir aussi la{' '}
            <a href="/console/accessibilite">déclaration d’accessibilité</a>.
          </p>
        </Page>,
      );
    },
  );

  app.get(
    '/console/accessibilite',
    { config: { public: true, unthrottled: true }, schema: { hide: true } },
    async (request, reply) => {
      const { user, csrf } = await publicPage(request, reply, deps);
      return sendPage(
        reply,
        <Page title="Déclaration d’accessibilité" user={user} csrf={csrf}>
          <p>
            L’Agence de services et de paiement s’engage à rendre ses services numériques accessibles, conformément à
            l’article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s’applique à la console SONS de
            suivi des bons de commande.
          </p>
          <h2 class="fr-h4">État de conformité</h2>
          <p>
            La console SONS est <strong>non conforme</strong> au référentiel général d’amélioration de l’accessibilité
            (RGAA 4.1) : aucun audit de conformité n’a encore été réalisé.
          </p>
          <h2 class="fr-h4">Ce qui est vérifié</h2>
          <p>
            Les pages de la console sont construites avec le Système de design de l’État (DSFR) et contrôlées à chaque
            version par les règles automatiques WCAG 2.1 A et AA d’axe-core dans un navigateur réel. Ces contrôles
            automatiques ne couvrent qu’une partie des critères du RGAA.
          </p>
          <h2 class="fr-h4">Contenus non accessibles connus</h2>
          <ul>
            <li>
              les pièces jointes déposées (VA signées, factures) sont des PDF fournis par les éditeurs, non vérifiés ;
            </li>
            <li>
              les pages d’avancement d’un traitement se rechargent seules toutes les deux secondes jusqu’à la fin ;
            </li>
            <li>l’affichage sur petit écran (menu, colonnes des tableaux) est incomplet ;</li>
            <li>
              l’interface Web de Temporal, réservée aux administrateurs, n’est pas couverte par cette déclaration.
            </li>
          </ul>
          <h2 class="fr-h4">Établissement de cette déclaration</h2>
          <p>
            Déclaration établie sans audit, sur la base des contrôles automatiques ci-dessus. Elle sera mise à jour
            après l’audit RGAA.
          </p>
          <h2 class="fr-h4">Retour d’information et contact</h2>
          <p>
            Si vous ne pouvez pas accéder à un contenu ou à un service, contactez l’Agence de services et de paiement
            pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.
          </p>
          <h2 class="fr-h4">Voies de recours</h2>
          <p>
            Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou à une fonctionnalité,
            que vous nous l’avez signalé et que vous n’avez pas obtenu de réponse satisfaisante, vous pouvez écrire au
            Défenseur des droits (formulaire en ligne, délégué de votre région, ou courrier gratuit : Défenseur des
            droits, Libre réponse 71120, 75342 Paris CEDEX 07).
          </p>
        </Page>,
      );
    },
  );
}
