import { createConnector, type ConnectorDefinition } from './registry.js';
import type { Connector, ConnectorDeps } from './types.js';

/**
 * Live connector instances, reused while their definition is unchanged (so an OAuth token is
 * fetched once per process, not once per job) and rebuilt as soon as an admin changes it.
 */
export class ConnectorRuntime {
  private readonly instances = new Map<string, { fingerprint: string; connector: Connector }>();

  constructor(private readonly deps: ConnectorDeps) {}

  for(def: ConnectorDefinition): Connector {
    const fingerprint = JSON.stringify(def);
    const cached = this.instances.get(def.id);
    if (cached && cached.fingerprint === fingerprint) return cached.connector;
    const connector = createConnector(def, this.deps);
    this.instances.set(def.id, { fingerprint, connector });
    return connector;
  }
}
