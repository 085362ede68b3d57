import { useCallback, useState } from 'preact/hooks';

/** A user action that asks the worker for something: pending while it runs, its error kept to show. */
export function useAction<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
  onDone?: (result: R) => void,
) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback(
    async (...args: A) => {
      setPending(true);
      setError(null);
      try {
        const result = await action(...args);
        onDone?.(result);
      } catch (caught) {
        setError(caught instanceof Error ? caught : new Error(String(caught)));
      } finally {
        setPending(false);
      }
    },
    [action, onDone],
  );
  return { run, pending, error };
}
