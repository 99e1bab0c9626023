// Entry: a small boot chunk that starts the worker on the estimate the URL describes (and the preset catalog),
// then loads React and the app in parallel; the worker loads the core while the page renders.
import { estimateReports, loadCatalog } from './core/client.ts';
import { baseRequest } from './state/base-request.ts';
import { parseState } from './state/url-state.ts';
import './styles.css';

void estimateReports([baseRequest(parseState(window.location.search))]);
void loadCatalog();
void import('./mount.tsx').then((m) => m.mount(document.getElementById('root')!));
