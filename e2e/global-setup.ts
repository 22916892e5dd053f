import { execFileSync } from 'node:child_process'
import { e2eUsers } from './users'
import { e2eDatabase } from '../playwright.config'

// The dashboard is already up on its fresh database (webServer); give it the users the tests sign in as.
export default function globalSetup() {
  for (const user of Object.values(e2eUsers)) {
    execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'create', user.username, user.role], {
      input: user.password,
      env: { ...process.env, DATABASE_URL: `file:${e2eDatabase}` },
      stdio: ['pipe', 'inherit', 'inherit'],
    })
  }
}
