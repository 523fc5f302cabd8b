import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { bdcLabelOf } from '../../domain/ids';

/**
 * The names people know things by, for the page being drawn (console/http.ts sendPage provides them):
 * éditeurs by their enrolled name. A page drawn without them names éditeurs by their id.
 */
export interface Names {
  editeurs: ReadonlyMap<string, string>;
}

export const NamesContext = createContext<Names>({ editeurs: new Map() });

/** How the page being drawn names an éditeur: its enrolled name, else its id. */
export function useEditeurName(): (editeurId: string) => string {
  const { editeurs } = useContext(NamesContext);
  return (editeurId) => editeurs.get(editeurId) ?? editeurId;
}

/** A BDC's label on the page being drawn: its reference and its éditeur's name. */
export function useBdcLabel(bdcId: string): string {
  return bdcLabelOf(bdcId, useContext(NamesContext).editeurs);
}
