import { describe, expect, it } from 'vitest'
import { ParseError } from '@/lib/core/errors'
import { parseXml } from '@/lib/xml/xml-parse'
import { libvirtRefusalLines, parseErrorLines } from '@/lib/host-output/libvirt-refusal-lines'
import { readFixture } from '@/lib/test/fixtures/read-fixture'

/*
 * libvirt's refusals of edited XML, recorded on the lab's host B (libvirt 9) and host C (libvirt 11.3) by
 * recorded/validate-refusals/record.sh, pointed at the lines of the text the operator wrote.
 */

const folder = 'recorded/validate-refusals'
const read = (file: string) => readFixture(folder, file)

const cases: Array<{ name: string; kind: 'network' | 'filter'; line: number; says: RegExp }> = [
  { name: 'network-extra-element', kind: 'network', line: 5, says: /bogus/ },
  // two <host> elements: the one the edit changed is the one marked
  { name: 'network-bad-attribute-value', kind: 'network', line: 10, says: /host/ },
  { name: 'network-unknown-attribute', kind: 'network', line: 8, says: /Invalid attribute lease for element range/ },
  { name: 'network-bad-forward-mode', kind: 'network', line: 4, says: /forward/ },
  // not the schema: libvirt's own check, which quotes the addresses
  { name: 'network-reversed-range', kind: 'network', line: 8, says: /reversed/ },
  { name: 'network-text-in-ip', kind: 'network', line: 6, says: /ip/ },
  { name: 'filter-bad-action', kind: 'filter', line: 6, says: /rule/ },
  // libxml2 names <icmp>, the unchanged child in front of the added <nothing/>: the added one is marked
  { name: 'filter-extra-element', kind: 'filter', line: 8, says: /rule has extra content: icmp/ },
  { name: 'filter-unknown-attribute', kind: 'filter', line: 4, says: /rule has extra content: tcp/ },
  { name: 'filter-port-out-of-range', kind: 'filter', line: 4, says: /rule has extra content: tcp/ },
]

describe('libvirtRefusalLines', () => {
  for (const host of ['b', 'c'])
    for (const { name, kind, line, says } of cases)
      it(`${name} (host ${host}): one mark, on line ${line}`, () => {
        const output = read(`${name}.${host}.err`)
        const marks = libvirtRefusalLines(output, read(`${name}.edited.xml`), read(`${kind}.current.xml`))
        expect(marks).toHaveLength(1)
        expect(marks[0]).toMatchObject({ line, message: expect.stringMatching(says) })
        // the message is libvirt's own line, without virsh's "error: " prefix
        expect(output).toContain(marks[0]!.message)
        expect(marks[0]!.message).not.toMatch(/^error: /)
      })

  it('without the current definition, the first element of a name is marked', () => {
    const output = read('network-bad-attribute-value.b.err')
    expect(libvirtRefusalLines(output, read('network-bad-attribute-value.edited.xml'))).toMatchObject([{ line: 9 }])
  })

  it('counts lines of the text as written: a document that starts later moves its marks', () => {
    const edited = `\n\n${read('network-extra-element.edited.xml')}`
    const marks = libvirtRefusalLines(read('network-extra-element.b.err'), edited, read('network.current.xml'))
    expect(marks).toMatchObject([{ line: 7 }])
  })

  it('marks nothing for a message that names nothing in the document, or XML that does not parse', () => {
    const xml = read('network.current.xml')
    expect(
      libvirtRefusalLines('error: Failed to define network from /dev/stdin\nerror: operation failed', xml),
    ).toEqual([])
    expect(libvirtRefusalLines("error: internal error: bridge name 'nosuch9' in use", xml)).toEqual([])
    expect(libvirtRefusalLines(read('network-extra-element.b.err'), '<network><name>x</nam')).toEqual([])
  })

  it('reads a quoted value as a whole word only, and not a plain word at all', () => {
    const xml =
      "<network>\n  <forward mode='nat'/>\n  <bridge name='vnedfx0'/>\n  <mac address='52:54:00:00:00:1'/>\n</network>"
    expect(libvirtRefusalLines("error: bridge name 'vnedfx0' is in use", xml)).toMatchObject([{ line: 3 }])
    expect(libvirtRefusalLines('error: bridge vnedfx01 is in use', xml)).toEqual([])
    expect(libvirtRefusalLines('error: nat is not allowed here', xml)).toEqual([])
  })
})

describe('parseErrorLines', () => {
  it("gives the parser's line and column", () => {
    let error: unknown
    try {
      parseXml('<network>\n  <name>x</name>\n  <bogus>\n</network>', 'the edited XML')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ParseError)
    const lines = parseErrorLines(error as ParseError, (error as ParseError).reason)
    expect(lines).toEqual([{ line: 4, column: expect.any(Number), message: (error as ParseError).reason }])
  })

  it('gives nothing for a problem with no position', () => {
    expect(parseErrorLines(new ParseError('network filter XML', '<filter> has no name'))).toEqual([])
  })
})
