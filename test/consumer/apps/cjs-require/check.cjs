// CommonJS: require() every entry point of @sessiongen/runtime (Node's require of ES modules), in an
// app that installed no driver and no framework. Prints one JSON line for the test to check.
const entries = ['', '/sql', '/redis', '/hazelcast', '/geode', '/spring', '/express', '/fastify', '/fetch', '/websocket', '/express-session'];
const loaded = {};
for (const entry of entries) {
  const module = require(`@sessiongen/runtime${entry}`);
  loaded[entry || '.'] = Object.keys(module).sort();
}
const drivers = ['ioredis', 'redis', '@redis/client', 'pg', 'mysql2', 'better-sqlite3', 'knex', 'hazelcast-client', 'express', 'fastify', 'express-session', 'ws'];
const driversLoaded = Object.keys(require.cache).filter((file) => drivers.some((name) => file.includes(`/node_modules/${name}/`)));
const { createRedisSessionClient, createNodeRedisSessionClient } = require('@sessiongen/runtime/redis');
const { createHazelcastSessionClient } = require('@sessiongen/runtime/hazelcast');
const missing = [];
for (const attempt of [() => createRedisSessionClient({ url: 'redis://127.0.0.1:1' }), () => createNodeRedisSessionClient({ url: 'redis://127.0.0.1:1' }), () => createHazelcastSessionClient()]) {
  try {
    const result = attempt();
    if (result && typeof result.catch === 'function') result.catch(() => undefined);
    missing.push({ name: 'none', message: 'no error' });
  } catch (err) {
    missing.push({ name: err.name, packageName: err.packageName, message: err.message });
  }
}
console.log(JSON.stringify({ loaded, driversLoaded, missing }));
