/** "New task" + due date + Add: the same form in the pop and on a card; each says how a task is saved. */
import { useState } from 'preact/hooks';
import { dateInputToMs } from './format';
import { t } from './i18n';
import { useAction } from './use-action';

export function AddTaskForm({
  onAdd,
  testId,
}: {
  onAdd: (task: { title: string; due?: number }) => Promise<unknown>;
  testId?: string;
}) {
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const add = useAction(async () => {
    await onAdd({ title, due: dateInputToMs(due) });
    setTitle('');
    setDue('');
  });
  return (
    <form
      class="inline-form"
      data-testid={testId}
      onSubmit={(event) => {
        event.preventDefault();
        if (title.trim()) void add.run();
      }}
    >
      <input
        dir="auto"
        aria-label={t('tasks.new')}
        placeholder={t('tasks.new')}
        value={title}
        onInput={(e) => setTitle(e.currentTarget.value)}
      />
      <input
        type="date"
        aria-label={t('tasks.due')}
        value={due}
        onInput={(e) => setDue(e.currentTarget.value)}
      />
      <button type="submit" disabled={add.pending}>
        {t('tasks.add')}
      </button>
      {add.error ? <p class="error">{add.error.message}</p> : null}
    </form>
  );
}
