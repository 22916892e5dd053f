import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { forgetFirstAdminPassword } from './first-admin'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vnl-first-admin-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe("the first admin's password file", () => {
  it('goes once that admin has chosen a password, and stays for anyone else', () => {
    const file = path.join(dir, 'first-admin.txt')
    fs.writeFileSync(file, 'username: admin\npassword: generated-password\n', { mode: 0o600 })
    expect(forgetFirstAdminPassword('operator', file)).toBe(false)
    expect(forgetFirstAdminPassword('admi', file)).toBe(false)
    expect(fs.existsSync(file)).toBe(true)
    expect(forgetFirstAdminPassword('admin', file)).toBe(true)
    expect(fs.existsSync(file)).toBe(false)
    expect(forgetFirstAdminPassword('admin', file)).toBe(false)
  })
})
