// Two replicas of the production build on one PostgreSQL database, for e2e/replicas (playwright.replicas.config.ts):
// their ports and the database they share, in one place for the config, its global setup and the spec.

// E2E_REPLICA_PORTS=3161,3162 moves them (two checkouts on one machine); the main suite's dashboard is on 3100.
export const replicaPorts = (process.env.E2E_REPLICA_PORTS ?? '3110,3111').split(',').map(Number) as [number, number]
export const replicaUrls = replicaPorts.map((port) => `http://127.0.0.1:${port}`) as [string, string]

// The PostgreSQL server .ci/run starts (VIRTNET_TEST_POSTGRES_URL); each run works in a schema of its own, named once
// here in the runner's process so that its workers, which inherit the environment, name the same one.
process.env.VIRTNET_E2E_REPLICAS_SCHEMA ??= `e2e_replicas_${process.pid}`
export const replicasSchema = process.env.VIRTNET_E2E_REPLICAS_SCHEMA
export const postgresServer =
  process.env.VIRTNET_TEST_POSTGRES_URL ?? 'postgresql://virtnet:virtnet@127.0.0.1:5432/virtnet'
export const replicasDatabaseUrl = `${postgresServer}?schema=${replicasSchema}`
