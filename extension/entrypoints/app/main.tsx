import { QueryClientProvider } from '@tanstack/preact-query';
import { render } from 'preact';
import { AppShell } from '../../features/app-shell/AppShell';
import { createQueryClient } from '../../ui/query';
import { startPage } from '../../ui/start-page';
import '../../ui/base.css';
import '../../ui/app.css';

void startPage().then(() =>
  render(
    <QueryClientProvider client={createQueryClient()}>
      <AppShell />
    </QueryClientProvider>,
    document.getElementById('root')!,
  ),
);
