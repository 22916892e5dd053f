import path from 'node:path'

// Every on-disk default lives under one data folder so a fresh clone runs with no configuration.
// (turbopackIgnore: these are run-time paths, not files the build should trace into the server bundle.)
export const dataDir = path.resolve(
  /*turbopackIgnore: true*/ process.env.VIRTNET_DATA_DIR ?? path.join(process.cwd(), 'data'),
)
export const sshKeyPath = path.resolve(
  /*turbopackIgnore: true*/ process.env.VIRTNET_SSH_KEY ?? path.join(dataDir, 'ssh', 'id_ed25519'),
)
export const auditKeyPath = path.resolve(
  /*turbopackIgnore: true*/ process.env.VIRTNET_AUDIT_KEY_FILE ?? path.join(dataDir, 'audit', 'seal.key'),
)
