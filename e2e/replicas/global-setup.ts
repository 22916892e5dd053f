import { execFileSync } from 'node:child_process'
import { e2eUsers } from '../users'
import { replicasDatabaseUrl } from './replicas'

// Both replicas are up on their fresh schema (webServer); give it the users the spec signs in as.
export default function globalSetup() {
  for (const user of [e2eUsers.admin, e2eUsers.operator]) {
    execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'create', user.username, user.role], {
      input: user.password,
      env: { ...process.env, DATABASE_URL: replicasDatabaseUrl },
      stdio: ['pipe', 'inherit', 'inherit'],
    })
  }
}
