import { QueryClientProvider } from '@tanstack/preact-query';
import { render } from 'preact';
import { PopApp } from '../../features/screen-pop/PopApp';
import { createQueryClient } from '../../ui/query';
import '../../ui/base.css';

const callId = new URLSearchParams(location.search).get('callId') ?? '';
const root = document.getElementById('root')!;
render(
  <QueryClientProvider client={createQueryClient()}>
    {callId ? <PopApp callId={callId} /> : <p class="error">No call given.</p>}
  </QueryClientProvider>,
  root,
);
