// The presets (devices, systems, models), fetched once from the worker.
import { useEffect, useState } from 'react';
import { loadCatalog } from '../core/client.ts';
import type { Catalog } from '../core/protocol.ts';

export function useCatalog(): Catalog | undefined {
  const [catalog, setCatalog] = useState<Catalog | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    void loadCatalog().then((c) => { if (alive) setCatalog(c); });
    return () => { alive = false; };
  }, []);
  return catalog;
}
