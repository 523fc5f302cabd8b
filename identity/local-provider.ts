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
 * Starts the local OpenID Connect provider (identity/local-provider.mjs, oidc-provider) as a child
 * process bound to our life, on 127.0.0.1:`port`, with `people` and its clients. `tamper` spoils its ID
 * tokens (tests of the relying party only).
 */
export async function startLocalProvider(opts: {
  port: number;
  peopleFile: string;
  clients: LocalClient[];
  tamper?: 'aud' | 'nonce' | 'exp';
}): Promise<LocalProvider> {
  const [command, args] = boundToThisProcess(
    process.execPath,
    [path.join(projectRoot, 'identity', 'local-provider.mjs')],
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
