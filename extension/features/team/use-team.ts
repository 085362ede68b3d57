/** This desk's user and colleagues, for a page: asked of the worker, and again whenever the team changes. */
import { useEffect, useState } from 'preact/hooks';
import { onEvent, sendMessage, type Team } from '../../doors/page';

const NOBODY: Team = { me: '', colleagues: [] };

export function useTeam(): Team {
  const [team, setTeam] = useState<Team>(NOBODY);
  useEffect(() => {
    const load = () =>
      void sendMessage('getTeam').then(setTeam, () => {
        /* The worker is waking up: the next teamChanged asks again. */
      });
    load();
    const offTeam = onEvent('teamChanged', load);
    const offPresence = onEvent('presenceChanged', load);
    return () => {
      offTeam();
      offPresence();
    };
  }, []);
  return team;
}

/** What the task forms need: everyone's names (this desk's user among them) and who "me" is. */
export function assignable(team: Team): { people: string[]; me: string } {
  const names = team.colleagues.map((colleague) => colleague.name);
  return { people: team.me && !names.includes(team.me) ? [team.me, ...names] : names, me: team.me };
}
