import 'server-only'
import os from 'node:os'
import { randomBytes } from 'node:crypto'

/*
 * Several dashboard replicas may share one PostgreSQL database (docs/scaling.md). Each process is one replica; its
 * name says which (VIRTNET_REPLICA_NAME, else host name and port: the same after a restart), its id tells this process
 * apart from an earlier one of the same name. Jobs and leases carry the id of the process that holds them.
 */
export const replicaName = process.env.VIRTNET_REPLICA_NAME ?? `${os.hostname()}:${process.env.PORT ?? '3000'}`
export const replicaId = `${replicaName}#${process.pid}.${randomBytes(3).toString('hex')}`

/** The replica name inside an id (`name#pid.random`). */
export const nameOfReplica = (id: string) => id.slice(0, id.lastIndexOf('#') >= 0 ? id.lastIndexOf('#') : id.length)

/** How often a replica renews what it holds, and after how long without renewal another replica takes it over. */
export const heartbeatMs = Number(process.env.VIRTNET_HEARTBEAT_MS ?? 2_000)
export const staleAfterMs = heartbeatMs * 3
