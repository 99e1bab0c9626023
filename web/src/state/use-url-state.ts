// The app state, read from the URL on load and on back/forward, and written back on every change. A change of
// view, model or hardware is a new history entry (so Back returns to the previous view); typing and slider moves
// replace the current one (so Back does not step through every slider position).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppState } from './app-state.ts';
import { parseState, serializeState } from './url-state.ts';

export type Update = (change: (state: AppState) => AppState) => void;

/** Whether going from `a` to `b` deserves its own history entry. */
export function isNavigation(a: AppState, b: AppState): boolean {
  return a.view !== b.view || a.model !== b.model || a.hardware !== b.hardware || a.customModel !== b.customModel || a.customHardware !== b.customHardware;
}

export function useUrlState(): [AppState, Update] {
  const [state, setState] = useState<AppState>(() => parseState(window.location.search));
  const written = useRef(state);
  useEffect(() => {
    const onPop = (): void => {
      const next = parseState(window.location.search);
      written.current = next;
      setState(next);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    const search = serializeState(state);
    const push = isNavigation(written.current, state);
    written.current = state;
    if (search === window.location.search) return;
    const url = `${window.location.pathname}${search}`;
    if (push) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
  }, [state]);
  const update = useCallback<Update>((change) => setState(change), []);
  return [state, update];
}
