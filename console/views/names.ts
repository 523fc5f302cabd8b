import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { bdcLabelOf } from '../../domain/ids';

/**
 * The names people know things by, for the page being drawn (console/http.ts sendPage provides them):
 * éditeurs by their enrolled name, solutions by the name their éditeur gave them. A page drawn without
 * them names éditeurs and solutions by their ids.
 */
export interface Names {
  editeurs: ReadonlyMap<string, string>;
  solutions: ReadonlyMap<string, string>;
}

export const noNames: Names = { editeurs: new Map(), solutions: new Map() };

export const NamesContext = createContext<Names>(noNames);

/** How the page being drawn names an éditeur: its enrolled name, else its id. */
export function useEditeurName(): (editeurId: string) => string {
  const { editeurs } = useContext(NamesContext);
  return (editeurId) => editeurs.get(editeurId) ?? editeurId;
}

/** A BDC's label on the page being drawn: its reference and its éditeur's name. */
export function useBdcLabel(bdcId: string): string {
  return bdcLabelOf(bdcId, useContext(NamesContext).editeurs);
}

/** How the page being drawn names a solution: « its name (its id) », else its id. */
export function useSolutionLabel(): (solutionId: string) => string {
  const { solutions } = useContext(NamesContext);
  return (solutionId) => solutionLabel(solutionId, solutions);
}

/** A solution's label from the names known: its name with its id (the id is what the ANS's files cite). */
export function solutionLabel(solutionId: string, names: ReadonlyMap<string, string>): string {
  const name = names.get(solutionId);
  return name ? `${name} (${solutionId})` : solutionId;
}
