import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')

/**
 * A second process for a race between processes (what two dashboard replicas do at once): `script` (under lib/test)
 * prints `ready` once it is set up, waits for `go` on stdin (`start()`), then prints one JSON line with its outcome.
 */
export function raceChild<Outcome>(
  script: string,
  args: string[],
): { process: ChildProcessWithoutNullStreams; ready: Promise<void>; start: () => void; outcome: Promise<Outcome> } {
  const proc = spawn('node', ['--conditions=react-server', '--import', 'tsx', script, ...args], {
    cwd: root,
    env: process.env,
  })
  let out = ''
  let stderr = ''
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('ready\n')) resolve()
    })
    proc.on('exit', (code) => reject(new Error(`child exited (${code}) before it was ready: ${stderr}`)))
  })
  const outcome = new Promise<Outcome>((resolve, reject) =>
    proc.on('exit', (code) => {
      const line = out.split('\n').find((text) => text.startsWith('{'))
      if (code !== 0 || !line) return reject(new Error(`child exited ${code}: ${stderr}`))
      resolve(JSON.parse(line) as Outcome)
    }),
  )
  return { process: proc, ready, start: () => proc.stdin.write('go\n'), outcome }
}
