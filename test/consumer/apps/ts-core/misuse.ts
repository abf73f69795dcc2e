// Must not compile: a typed attribute set to the wrong type.
import { MemorySessionStore } from '@sessiongen/runtime';
import { AppSessionRepository, appSessionDescriptor } from './generated/index.js';

const repository = new AppSessionRepository(new MemorySessionStore(appSessionDescriptor));
repository.createSession().set('tenantId', 42);
