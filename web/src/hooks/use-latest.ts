// Runs the async job of the current key, latest-wins: while one job is in flight, key changes only queue the
// newest, so dragging a slider never piles work up in the worker. The last finished value stays on screen
// (marked stale) until the next one lands, so nothing flickers.
import { useEffect, useRef, useState } from 'react';

export interface Latest<T> {
  value: T | undefined;
  /** The value on screen belongs to an older key; a newer one is on its way. */
  stale: boolean;
}

export function useLatest<T>(key: string | null, run: () => Promise<T>): Latest<T> {
  const [done, setDone] = useState<{ key: string; value: T } | undefined>(undefined);
  const busy = useRef(false);
  const next = useRef<{ key: string; run: () => Promise<T> } | null>(null);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => { alive.current = false; };
  }, []);

  useEffect(() => {
    if (key === null) return;
    next.current = { key, run };
    if (busy.current) return;
    const pump = (): void => {
      const job = next.current;
      next.current = null;
      if (!job) return;
      busy.current = true;
      job.run().then((value) => {
        busy.current = false;
        if (alive.current) setDone({ key: job.key, value });
        pump();
      }, () => {
        busy.current = false;
        pump();
      });
    };
    pump();
    // `run` is a fresh closure each render; the key alone says when the job changed.
  }, [key]);

  return { value: done?.value, stale: done === undefined || done.key !== key };
}
