// Benchmark builds only: the floor for pop latency is Chromium opening this bare popup window and
// painting it. It reports after its first frame, exactly as the pop page acks after its card's frame.
// No imports: the floor should be as cheap as a page can be.
declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };

const probeId = new URLSearchParams(location.search).get('probe') ?? '';
requestAnimationFrame(() =>
  setTimeout(() => void chrome.runtime.sendMessage({ kesherProbe: probeId }).catch(() => {}), 0),
);
