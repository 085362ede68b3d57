/**
 * A phone number as a button: the bridge rings the user's own phone (AMI Originate), then the number.
 * The user reads each step: "Ringing your phone…", then the outcome or the PBX's reason for failing.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { onEvent, sendMessage } from '../../doors/page';
import { t } from '../../ui/i18n';

interface Progress {
  ok: boolean;
  message: string;
}

export function CallButton({ number, label }: { number: string; label?: string }) {
  const [status, setStatus] = useState<Progress | null>(null);
  const requestId = useRef<string | null>(null);
  // Progress can arrive before the worker's answer with the request id (a fast PBX): keep it until then.
  const early = useRef(new Map<string, Progress>());

  useEffect(
    () =>
      onEvent('dialProgress', (progress) => {
        const update = { ok: progress.ok, message: progress.message };
        if (progress.requestId === requestId.current) setStatus(update);
        else early.current.set(progress.requestId, update);
      }),
    [],
  );

  const call = async () => {
    setStatus({ ok: true, message: t('common.calling') });
    try {
      const { requestId: id } = await sendMessage('dial', { number });
      requestId.current = id;
      const arrived = early.current.get(id);
      if (arrived) setStatus(arrived);
      early.current.clear();
    } catch (error) {
      setStatus({ ok: false, message: (error as Error).message });
    }
  };

  return (
    <span class="call-button">
      <button
        type="button"
        data-testid="call-button"
        onClick={() => void call()}
        aria-label={t('common.callNumber', { number })}
      >
        {label ?? t('common.call')}
      </button>
      {status ? (
        <span class={status.ok ? 'muted' : 'error'} data-testid="call-status" role="status">
          {status.message}
        </span>
      ) : null}
    </span>
  );
}
