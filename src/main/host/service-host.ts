/**
 * The desktop's switch for the Engine API service: while on, this process serves the Docker Engine
 * API on the user's socket (what `strata system service` serves) over the same store, and docker's
 * `strata` context points at it, so `docker context use strata` is the one line to copy.
 */
import type { Server } from 'node:http';
import type { Engine } from '../engine/engine.ts';
import type { ServiceStatus } from '../../shared/contract.ts';
import { StrataError } from '../../shared/errors.ts';
import { defaultSocketPath } from '../api-server/socket-path.ts';
import { createContext, getContext } from '../providers/contexts.ts';

const CONTEXT = 'strata';

export class ServiceSwitch {
  private readonly engine: Engine;
  private readonly env: NodeJS.ProcessEnv;
  private server: Server | undefined;

  constructor(engine: Engine, env: NodeJS.ProcessEnv = process.env) {
    this.engine = engine;
    this.env = env;
  }

  status(): ServiceStatus {
    const socket = defaultSocketPath(this.env);
    return { running: this.server !== undefined, socket: `unix://${socket}`, context: CONTEXT, command: `docker context use ${CONTEXT}` };
  }

  async start(): Promise<ServiceStatus> {
    if (this.server) return this.status();
    const { createApiServer, listenUnix } = await import('../api-server/server.ts');
    const server = createApiServer(this.engine);
    await listenUnix(server, defaultSocketPath(this.env));
    this.server = server;
    this.ensureContext();
    return this.status();
  }

  async stop(): Promise<ServiceStatus> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    return this.status();
  }

  /** docker's `strata` context at this socket, made once (one the user made is left as it is). */
  private ensureContext(): void {
    try {
      getContext(CONTEXT, this.env);
    } catch (err) {
      if (!(err instanceof StrataError && err.code === 'not-found')) throw err;
      createContext({ name: CONTEXT, description: 'Strata (strata system service)', host: this.status().socket, skipTlsVerify: false }, this.env);
    }
  }
}
