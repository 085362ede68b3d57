import { QueryClientProvider } from '@tanstack/preact-query';
import { render } from 'preact';
import { AppShell } from '../../features/app-shell/AppShell';
import { createQueryClient } from '../../ui/query';
import '../../ui/base.css';
import '../../ui/app.css';

render(
  <QueryClientProvider client={createQueryClient()}>
    <AppShell />
  </QueryClientProvider>,
  document.getElementById('root')!,
);
