// The app state, read from the URL on load and on back/forward, and written back on every change.
import { useCallback, useEffect, useState } from 'react';
import type { AppState } from './app-state.ts';
import { parseState, serializeState } from './url-state.ts';

export type Update = (change: (state: AppState) => AppState) => void;

export function useUrlState(): [AppState, Update] {
  const [state, setState] = useState<AppState>(() => parseState(window.location.search));
  useEffect(() => {
    const onPop = (): void => setState(parseState(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    const search = serializeState(state);
    if (search !== window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${search}`);
  }, [state]);
  const update = useCallback<Update>((change) => setState(change), []);
  return [state, update];
}
