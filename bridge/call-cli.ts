/**
 * npm run call -- <number> [--name "…"]: ring a call through the bridge's real call API, so anyone can see
 * a pop without a PBX. Later: npm run call -- --answer <callId> / --end <callId>.
 */
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfigPath, loadConfig } from './config';
import { localBase, localFetch } from './local-api';

const HELP = `Usage:
  npm run call -- <number> [--name "Dana Levi"] [--to <number>] [--extension <ext>]
  npm run call -- --answer <callId>
  npm run call -- --end <callId>

Options: --config <file> (the bridge's config: token and port), --url <http://127.0.0.1:port>,
         --id <callId> (choose the call's id), --outbound`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      name: { type: 'string' },
      to: { type: 'string' },
      extension: { type: 'string' },
      answer: { type: 'string' },
      end: { type: 'string' },
      id: { type: 'string' },
      outbound: { type: 'boolean' },
      config: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help || (positionals.length === 0 && !values.answer && !values.end)) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const loaded = loadConfig(resolve(values.config ?? defaultConfigPath()));
  const { config } = loaded;
  const base = values.url ?? localBase(config);
  const event = values.answer
    ? { callId: values.answer, state: 'answered', from: '' }
    : values.end
      ? { callId: values.end, state: 'ended', from: '' }
      : {
          callId: values.id ?? `cli-${randomUUID()}`,
          state: 'ringing',
          from: positionals[0],
          fromName: values.name,
          to: values.to,
          extension: values.extension,
          direction: values.outbound ? 'outbound' : 'inbound',
        };
  let response: Response;
  try {
    const init = {
      method: 'POST',
      headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    };
    response = values.url
      ? await fetch(`${base}/api/v1/calls`, init)
      : await localFetch(config, dirname(loaded.path), '/api/v1/calls', init);
  } catch (error) {
    process.stderr.write(
      `call: the bridge at ${base} is not reachable (${(error as Error).message}); start it with npm start\n`,
    );
    process.exit(1);
  }
  const body = (await response.json().catch(() => ({}))) as { error?: string; status?: string };
  if (!response.ok) {
    process.stderr.write(`call: bridge said ${response.status}: ${body.error ?? response.statusText}\n`);
    process.exit(1);
  }
  process.stdout.write(`${event.callId}: ${body.status}\n`);
  if (event.state === 'ringing') {
    process.stdout.write(
      `Answer: npm run call -- --answer ${event.callId}\nEnd:    npm run call -- --end ${event.callId}\n`,
    );
  }
}

void main();
