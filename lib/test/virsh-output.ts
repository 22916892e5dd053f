import 'server-only'
import { expect } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'

/* Test helpers for the parsers of virsh's tables (lib/host-output/virsh-*.ts). */

/** Output as virsh prints it: the given lines, each ending in a newline. */
export function virshOutput(...lines: string[]): string {
  return [...lines, ''].join('\n')
}

/**
 * A command's recorded output parses to `expected` with its header (recorded/virsh-<name>.txt) and
 * without it (virsh -q: recorded/virsh-q-<name>.txt), so neither layout depends on the other.
 */
export function expectRecordedWithAndWithoutHeader(
  parse: (output: string) => unknown,
  name: string,
  expected: unknown,
) {
  expect(parse(readFixture('recorded', `virsh-${name}.txt`))).toEqual(expected)
  expect(parse(readFixture('recorded', `virsh-q-${name}.txt`))).toEqual(expected)
}
