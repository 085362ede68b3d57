/** "New task" + due date + Add: the same form in the pop and on a card; each says how a task is saved. */
import { useState } from 'preact/hooks';
import { AssigneePicker } from './components';
import { dateInputToMs } from './format';
import { t } from './i18n';
import { useAction } from './use-action';

export function AddTaskForm({
  onAdd,
  testId,
  team,
}: {
  onAdd: (task: { title: string; due?: number; assignee?: string }) => Promise<unknown>;
  testId?: string;
  /** Office mode: the office's people and this desk's user; the task goes to whoever is chosen. */
  team?: { people: string[]; me: string };
}) {
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [assignee, setAssignee] = useState<string | undefined>(undefined);
  const add = useAction(async () => {
    await onAdd({ title, due: dateInputToMs(due), ...(assignee ? { assignee } : {}) });
    setTitle('');
    setDue('');
    setAssignee(undefined);
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
      {team && team.people.length > 0 ? (
        <AssigneePicker
          value={assignee ?? team.me}
          people={team.people}
          me={team.me}
          label={t('tasks.assignTo')}
          onChange={setAssignee}
        />
      ) : null}
      <button type="submit" disabled={add.pending}>
        {t('tasks.add')}
      </button>
      {add.error ? <p class="error">{add.error.message}</p> : null}
    </form>
  );
}
