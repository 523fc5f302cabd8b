import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../config/paths';
import { boundToThisProcess } from '../config/processes';

/** A client the local provider knows: the console, as a relying party. */
export interface LocalClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
}

export interface LocalProvider {
  issuer: string;
  stop(): Promise<void>;
}

/** The demo people of `npm start` (their roles are granted by the engine at start; README, "Signing in"). */
export const demoPeopleFile = path.join(projectRoot, 'identity', 'demo-people.json');

/**
 * Starts the local OpenID Connect provider (identity/provider-process.mjs, oidc-provider) as a child
 * process bound to our life, on 127.0.0.1:`port`, with `people` and its clients. `tamper` spoils its ID
 * tokens (tests of the relying party only).
 */
export async function startLocalProvider(opts: LocalProviderOptions): Promise<LocalProvider> {
  // the provider of an engine just killed lets its port go a moment after (it is signalled at its parent's death)
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= 20 || !/EADDRINUSE/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

interface LocalProviderOptions {
  port: number;
  peopleFile: string;
  clients: LocalClient[];
  tamper?: 'aud' | 'nonce' | 'exp';
}

async function startOnce(opts: LocalProviderOptions): Promise<LocalProvider> {
  const [command, args] = boundToThisProcess(
    process.execPath,
    [path.join(projectRoot, 'identity', 'provider-process.mjs')],
    'SIGTERM',
  );
  const child = spawn(command, args, {
    env: {
      ...process.env,
      SONS_OIDC_PORT: String(opts.port),
      SONS_OIDC_PEOPLE: opts.peopleFile,
      SONS_OIDC_CLIENTS: JSON.stringify(opts.clients),
      ...(opts.tamper ? { SONS_OIDC_TAMPER: opts.tamper } : {}),
      // its warning that it keeps its sessions in memory is what a local provider wants
      NODE_NO_WARNINGS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (c: Buffer) => (errors = (errors + c.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the local OpenID provider stopped (${code}): ${errors.trim()}`)));
  });
  return {
    issuer: `http://127.0.0.1:${opts.port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
