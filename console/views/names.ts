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

/** A BDC's label on the page being drawn: its reference and its éditeur's name. */
export function useBdcLabel(bdcId: string): string {
  return bdcLabelOf(bdcId, useContext(NamesContext).editeurs);
}
