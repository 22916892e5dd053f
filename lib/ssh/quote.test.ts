import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isShellCommand, sh, shellJoin, shellQuote, type ShellCommand } from './quote'

// Run shell text through a real shell (fed on stdin, so 100 kB+ scripts are not limited by ARG_MAX)
// and return the raw bytes it printed.
const shells = ['/bin/sh', '/bin/bash', '/bin/dash'].filter((s) => fs.existsSync(s))
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'virtnet-quote-'))
// Files for glob expansion to find, if anything were left unquoted.
for (const f of ['a.txt', 'b.txt', '-rf']) fs.writeFileSync(path.join(cwd, f), '')

function runShell(shell: string, script: string): Buffer {
  return execFileSync(shell, [], {
    input: script,
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent-home', X: 'expanded', NODE_ENV: 'test' },
    maxBuffer: 64 * 1024 * 1024,
  })
}

const hostile: Record<string, string> = {
  empty: '',
  space: 'a b  c',
  singleQuote: "it's",
  onlyQuotes: "''''",
  doubleQuote: 'say "hi"',
  dollarParen: '$(touch pwned)',
  dollarVar: '$X ${X} $HOME',
  backticks: '`touch pwned`',
  semicolon: 'a; touch pwned',
  andAnd: 'a && touch pwned || b',
  pipe: 'a | tee pwned',
  redirect: '> pwned < /etc/passwd 2>&1',
  newline: 'line1\nline2\n',
  leadingNewline: '\ntouch pwned',
  carriageReturn: 'a\rb\r\n',
  tabs: '\ta\tb\t',
  globStar: '*',
  globMix: '*.txt ?.txt [ab].txt',
  braces: '{a,b}.txt',
  tilde: '~',
  tildeUser: '~root/x',
  leadingDash: '-rf',
  doubleDash: '--help',
  assignment: 'FOO=bar',
  backslashes: '\\ \\\\ \\n \\x41 \\',
  hash: '# not a comment',
  bang: '!! !$ !-1',
  percent: '%s %d %%',
  unicode: 'héllo wörld 日本語 🎉 \u200b',
  controlChars: '\x01\x02\x1b[31m\x1e\x7f',
  allAscii: Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).join(''),
}

function roundTrip(shell: string, value: string): Buffer {
  return runShell(shell, `printf %s ${shellQuote(value)}`)
}

describe('shellQuote', () => {
  it('leaves plain words bare and quotes everything else', () => {
    expect(shellQuote('default')).toBe('default')
    expect(shellQuote('/etc/libvirt/qemu/networks/net-1.xml')).toBe('/etc/libvirt/qemu/networks/net-1.xml')
    expect(shellQuote('br0:1,x@y+z%')).toBe('br0:1,x@y+z%')
    expect(shellQuote('')).toBe("''")
    expect(shellQuote("it's")).toBe("'it'\\''s'")
    expect(shellQuote('a b')).toBe("'a b'")
    expect(shellQuote('FOO=bar')).toBe("'FOO=bar'")
    expect(shellQuote('~')).toBe("'~'")
    expect(shellQuote('*')).toBe("'*'")
    expect(shellQuote('-rf')).toBe('-rf') // a leading dash is an argv matter (use --), not a quoting one
  })

  it('rejects NUL, lone surrogates and non-strings', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/)
    expect(() => shellQuote('\0')).toThrow(/NUL/)
    expect(() => shellQuote('\ud800x')).toThrow(/surrogate/)
    expect(() => shellQuote(undefined as unknown as string)).toThrow(TypeError)
    expect(() => shellQuote(5 as unknown as string)).toThrow(TypeError)
  })

  for (const shell of shells) {
    describe(`round-trips byte for byte through ${shell}`, () => {
      for (const [name, value] of Object.entries(hostile)) {
        it(name, () => {
          expect(roundTrip(shell, value).equals(Buffer.from(value, 'utf8'))).toBe(true)
        })
      }

      it('100 kB of hostile text', () => {
        const chunk = Object.values(hostile).join('')
        let big = ''
        while (big.length < 100_000) big += chunk
        expect(roundTrip(shell, big).equals(Buffer.from(big, 'utf8'))).toBe(true)
      })

      it('100 kB of single quotes', () => {
        const big = "'".repeat(100_000)
        expect(roundTrip(shell, big).equals(Buffer.from(big, 'utf8'))).toBe(true)
      })

      it('keeps word boundaries with shellJoin', () => {
        const argv = Object.values(hostile)
        const out = runShell(shell, `printf '<%s>\\n' ${shellJoin(argv)}`).toString('utf8')
        expect(out).toBe(argv.map((a) => `<${a}>\n`).join(''))
      })

      it('never executes anything', () => {
        for (const value of Object.values(hostile)) runShell(shell, `printf %s ${shellQuote(value)} >/dev/null`)
        expect(fs.existsSync(path.join(cwd, 'pwned'))).toBe(false)
      })
    })
  }
})

describe('shellJoin', () => {
  it('quotes each element', () => {
    expect(shellJoin(['virsh', 'net-start', 'my net'])).toBe("virsh net-start 'my net'")
    expect(shellJoin([])).toBe('')
    expect(() => shellJoin(['ok', 'bad\0'])).toThrow(/NUL/)
  })
})

describe('sh', () => {
  it('quotes interpolated values and keeps literal syntax', () => {
    const name = "net'; rm -rf / #"
    const cmd = sh`virsh net-start ${name}`
    expect(cmd.text).toBe(`virsh net-start 'net'\\''; rm -rf / #'`)
    expect(isShellCommand(cmd)).toBe(true)
    expect(String(cmd)).toBe(cmd.text)
  })

  it('expands arrays to space-separated quoted words', () => {
    expect(sh`ip ${['link', 'set', 'dev', 'br 0', 'up']}`.text).toBe("ip link set dev 'br 0' up")
    expect(sh`true ${[]}`.text).toBe('true ')
  })

  it('quotes numbers and bigints, rejects non-finite numbers and other types', () => {
    expect(sh`sleep ${5}`.text).toBe('sleep 5')
    expect(sh`echo ${-1.5} ${10n}`.text).toBe('echo -1.5 10')
    expect(() => sh`sleep ${NaN}`).toThrow(TypeError)
    expect(() => sh`echo ${undefined as unknown as string}`).toThrow(/cannot interpolate undefined/)
    expect(() => sh`echo ${null as unknown as string}`).toThrow(/null/)
    expect(() => sh`echo ${true as unknown as string}`).toThrow(TypeError)
    expect(() => sh`echo ${{} as unknown as string}`).toThrow(TypeError)
    expect(() => sh`echo ${[['nested']] as unknown as string[]}`).toThrow(TypeError)
    expect(() => sh`echo ${'a\0'}`).toThrow(/NUL/)
  })

  it('inserts nested ShellCommands verbatim so pipelines compose', () => {
    const list = sh`virsh net-list --name`
    const filter = sh`grep -Fx -- ${'a b'}`
    expect(sh`${list} | ${filter}`.text).toBe("virsh net-list --name | grep -Fx -- 'a b'")
    const optional = (on: boolean): ShellCommand => (on ? sh`--force` : sh``)
    expect(sh`virsh undefine x ${optional(true)}`.text).toBe('virsh undefine x --force')
    expect(sh`virsh undefine x ${optional(false)}`.text).toBe('virsh undefine x ')
    expect([sh`a`, sh`b ${'c d'}`, sh`e`].reduce((x, y) => sh`${x} && ${y}`).text).toBe("a && b 'c d' && e")
  })

  it('treats the literal parts as raw shell text', () => {
    expect(sh`sed 's/\./x/'`.text).toBe("sed 's/\\./x/'")
    expect(sh`printf 'a\nb'`.text).toBe("printf 'a\\nb'")
  })

  it('refuses to be called with a hand-made strings array', () => {
    const fake = ['rm -rf ', ''] as unknown as TemplateStringsArray
    expect(() => sh(fake, 'x')).toThrow(/tagged template/)
    const fakeWithRaw = Object.assign(['rm -rf /'], { raw: ['rm -rf /'] }) as unknown as TemplateStringsArray
    expect(() => sh(fakeWithRaw)).toThrow(/tagged template/)
  })

  it('round-trips hostile values through a real shell', () => {
    const values = Object.values(hostile)
    for (const shell of shells) {
      const out = runShell(shell, sh`printf '<%s>\n' ${values}`.text).toString('utf8')
      expect(out).toBe(values.map((a) => `<${a}>\n`).join(''))
      for (const v of values) expect(runShell(shell, sh`printf %s ${v}`.text).equals(Buffer.from(v, 'utf8'))).toBe(true)
    }
  })

  it('a value that looks like an assignment stays a command word', () => {
    const out = execFileSync('/bin/sh', [], {
      input: `${sh`${'X=1'} 2>/dev/null; echo "rc=$? X=$X"`.text}`,
      cwd,
    }).toString()
    expect(out).toBe('rc=127 X=\n')
  })
})
