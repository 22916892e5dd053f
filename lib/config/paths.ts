import path from 'node:path'

// Every on-disk default lives under one data folder so a fresh clone runs with no configuration.
export const dataDir = path.resolve(process.env.VIRTNET_DATA_DIR ?? path.join(process.cwd(), 'data'))
export const sshKeyPath = path.resolve(process.env.VIRTNET_SSH_KEY ?? path.join(dataDir, 'ssh', 'id_ed25519'))
