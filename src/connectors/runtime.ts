import { createConnector, type ConnectorDefinition } from './registry.js';
import type { Connector, ConnectorDeps } from './types.js';

/**
 * Live connector instances, reused while their definition is unchanged (so an OAuth token is
 * fetched once per process, not once per job) and rebuilt as soon as an admin changes it.
 */
export class ConnectorRuntime {
  private readonly instances = new Map<string, { def: ConnectorDefinition; fingerprint: string; connector: Connector }>();

  constructor(private readonly deps: ConnectorDeps) {}

  for(def: ConnectorDefinition): Connector {
    const cached = this.instances.get(def.id);
    // The same (frozen, cached) definition object as last time: no need to fingerprint it again.
    if (cached && cached.def === def && Object.isFrozen(def)) return cached.connector;
    const fingerprint = JSON.stringify(def);
    if (cached && cached.fingerprint === fingerprint) {
      cached.def = def;
      return cached.connector;
    }
    const connector = createConnector(def, this.deps);
    this.instances.set(def.id, { def, fingerprint, connector });
    return connector;
  }
}
