/**
 * A phone number as a button: the bridge rings the user's own phone (AMI Originate), then the number.
 * The user reads each step: "Ringing your phone…", then the outcome or the PBX's reason for failing.
 */
import { useEffect, useState } from 'preact/hooks';
import { onEvent, sendMessage } from '../../messaging';
import { t } from '../../ui/i18n';

export function CallButton({ number, label }: { number: string; label?: string }) {
  const [requestId, setRequestId] = useState<string | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; message: string } | null>(null);

  useEffect(() => {
    if (!requestId) return;
    return onEvent('dialProgress', (progress) => {
      if (progress.requestId === requestId) setStatus({ ok: progress.ok, message: progress.message });
    });
  }, [requestId]);

  const call = async () => {
    setStatus({ ok: true, message: t('common.calling') });
    try {
      const { requestId: id } = await sendMessage('dial', { number });
      setRequestId(id);
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
        aria-label={`Call ${number}`}
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
