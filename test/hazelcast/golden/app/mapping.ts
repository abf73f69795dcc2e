import { hazelcastDocumentFromJson, hazelcastIndexValue, type HazelcastSessionMapping } from 'sessiongen/runtime';

/** How AppSession sessions are stored in the Hazelcast map 'app-sessions': one JSON value per session with the index fields at the top level, as indexed by member.xml / member.yaml beside this file. */
export const appSessionHazelcastMapping: HazelcastSessionMapping = {
  map: 'app-sessions',
  backupCount: 1,
  mapTtlSeconds: 1800,
  valueFormat: 'json',
  indexFields: [
    { index: 'principalName', attribute: 'principalName', field: 'principal_name', type: 'string' },
    { index: 'tenantId', attribute: 'tenantId', field: 'tenant_id', type: 'string' },
  ],
  encode: (session) =>
    JSON.stringify({
      session_id: session.id,
      creation_time: session.creationTime,
      last_access_time: session.lastAccessedTime,
      max_inactive_interval: session.maxInactiveInterval,
      expiry_time: session.expiresAt,
      principal_name: hazelcastIndexValue(session.attributes['principalName'], 'string'),
      tenant_id: hazelcastIndexValue(session.attributes['tenantId'], 'string'),
      attributes: session.attributes,
    }),
  decode: (text) => hazelcastDocumentFromJson(JSON.parse(text)),
  };
