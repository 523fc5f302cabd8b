import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { nowOf } from '../../client/context';
import { listControls } from '../../client/controls';
import type { ConsoleDeps } from '../context';
import { sendPage, viewer } from '../http';
import { Page } from '../views/layout';
import { ControlsTable, DemandsTable } from '../views/owed';

/**
 * An éditeur's controls and what it is asked to pay back, every BDC of its own in one list: a BDC
 * that ended may still owe money (a failed control's recovery), and the list of BDCs says only what
 * each awaits. The sums are the ledger's (db/money.ts).
 */
export function owedPages(app: Api, { engine }: ConsoleDeps) {
  app.get(
    '/console/reversements',
    { config: { sessionRoles: who.editeurs }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      // an éditeur's session always names its éditeur: nothing but its own BDCs is read
      const editeurId = v.user.editeurId ?? '';
      const [demands, controls, now] = await Promise.all([
        engine.money.demands({ editeurId }),
        listControls(engine, { editeurId }),
        nowOf(engine),
      ]);
      return sendPage(
        reply,
        <Page title="Contrôles et remboursements" user={v.user} csrf={v.csrf} active="/console/reversements">
          <p>
            Les sommes que l’ASP vous demande de reverser sur vos bons de commande, avec leur échéance, et les contrôles
            a posteriori de vos bons de commande terminés.
          </p>
          <h2 class="fr-h4">Sommes demandées en retour</h2>
          <DemandsTable demands={demands} now={now} withBdc />
          <h2 class="fr-h4">Contrôles a posteriori</h2>
          <ControlsTable controls={controls} now={now} withBdc />
        </Page>,
      );
    },
  );
}
