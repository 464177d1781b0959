import { z } from 'zod';
import { ServiceNowConnector } from './servicenow/connector.js';
import { serviceNowDefinitionSchema, serviceNowOutboundUrls, serviceNowSecretPaths, type ServiceNowDefinition } from './servicenow/definition.js';
import type { Connector, ConnectorDeps } from './types.js';
import { JiraConnector } from './jira/connector.js';
import { jiraDefinitionSchema, jiraOutboundUrls, jiraSecretPaths, type JiraDefinition } from './jira/definition.js';

/** Adding an ITSM: its folder, plus one entry here and one member in the union below. */
export const connectorKinds = {
  servicenow: {
    secretPaths: serviceNowSecretPaths as readonly string[],
    outboundUrls: (def: ConnectorDefinition): Record<string, string> => serviceNowOutboundUrls(def as ServiceNowDefinition),
    create: (def: ConnectorDefinition, deps: ConnectorDeps): Connector => new ServiceNowConnector(def as ServiceNowDefinition, deps),
  },
  jira: {
    secretPaths: jiraSecretPaths as readonly string[],
    outboundUrls: (def: ConnectorDefinition): Record<string, string> => jiraOutboundUrls(def as JiraDefinition),
    create: (def: ConnectorDefinition, deps: ConnectorDeps): Connector => new JiraConnector(def as JiraDefinition, deps),
  },
} as const;

export const connectorDefinitionSchema = z.discriminatedUnion('kind', [serviceNowDefinitionSchema, jiraDefinitionSchema]);
export type ConnectorDefinition = z.infer<typeof connectorDefinitionSchema>;
export type ConnectorKind = keyof typeof connectorKinds;

export const createConnector = (def: ConnectorDefinition, deps: ConnectorDeps): Connector => connectorKinds[def.kind].create(def, deps);
export const secretPathsOf = (kind: string): readonly string[] => (connectorKinds as Record<string, { secretPaths: readonly string[] }>)[kind]?.secretPaths ?? [];
/** Definition path → URL of every address this connector calls with its credentials. */
export const outboundUrlsOf = (def: ConnectorDefinition): Record<string, string> => connectorKinds[def.kind].outboundUrls(def);
