import { QueryClientProvider } from '@tanstack/preact-query';
import { render } from 'preact';
import { PanelApp } from '../../features/side-panel/PanelApp';
import { createQueryClient } from '../../features/app-shell/query';
import { startPage } from '../../features/app-shell/start-page';
import '../../ui/base.css';
import '../../ui/app.css';

void startPage().then(() => {
  const client = createQueryClient();
  render(
    <QueryClientProvider client={client}>
      <PanelApp />
    </QueryClientProvider>,
    document.getElementById('root')!,
  );
});
