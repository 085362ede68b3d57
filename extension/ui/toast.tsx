/** One line of feedback at the bottom of the page, with an optional action (Undo). */
import { useEffect, useState } from 'preact/hooks';

interface Toast {
  id: number;
  text: string;
  action?: { label: string; run: () => Promise<void> | void };
}

let listeners: Array<(toast: Toast | null) => void> = [];
let nextId = 1;
const VISIBLE_MS = 10_000;

export function showToast(text: string, action?: Toast['action']): void {
  const toast = { id: nextId++, text, action };
  for (const listener of listeners) listener(toast);
}

export function ToastHost() {
  const [toast, setToast] = useState<Toast | null>(null);
  useEffect(() => {
    listeners.push(setToast);
    return () => {
      listeners = listeners.filter((listener) => listener !== setToast);
    };
  }, []);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), VISIBLE_MS);
    return () => clearTimeout(timer);
  }, [toast]);
  if (!toast) return <div class="toast-host" role="status" aria-live="polite" />;
  return (
    <div class="toast-host" role="status" aria-live="polite">
      <div class="toast" data-testid="toast">
        <span>
          <bdi>{toast.text}</bdi>
        </span>
        {toast.action ? (
          <button
            type="button"
            data-testid="toast-action"
            onClick={() => {
              setToast(null);
              void toast.action!.run();
            }}
          >
            {toast.action.label}
          </button>
        ) : null}
      </div>
    </div>
  );
}
