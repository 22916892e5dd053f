import 'server-only'
import type { LineError } from '@/lib/core/errors'
import { ParseError } from '@/lib/core/errors'
import { parseXml, parseXmlKeepingText } from '@/lib/xml/xml-parse'
import type { XmlElement } from '@/lib/xml/xml-tree'

/*
 * Where in the operator's XML libvirt's refusal of it points. libvirt names no line: its schema check
 * (`--validate`, libxml2's RelaxNG) names elements and attributes ("Invalid attribute foo for element range",
 * "Element network has extra content: bogus"), each followed by the same complaint about every ancestor ("Extra
 * element dhcp in interleave", "Element ip failed to validate content"); its own checks quote values ("range
 * 192.168.200.9 - 192.168.200.2 is reversed"). Each is found in the text the operator submitted; where an element
 * name fits several elements, the one the edit changed (compared with libvirt's current definition) is taken.
 * A message that fits nothing gets no line: the field's error text still says it.
 */

type Finding = { element: XmlElement; message: string }

/** What one schema message names: the element, and what else narrows it down. */
type SchemaTarget = { name: string; attribute?: string; child?: string; value?: string }

const schemaMessages: Array<[RegExp, (match: RegExpMatchArray) => SchemaTarget]> = [
  [/^Invalid attribute (\S+) for element (\S+)$/, (m) => ({ name: m[2]!, attribute: m[1]! })],
  [/^Element (\S+) has extra content: (\S+)$/, (m) => ({ name: m[1]!, child: m[2]! })],
  [/^Expecting element (\S+), got (\S+)$/, (m) => ({ name: m[2]! })],
  [/^Did not expect element (\S+) there$/, (m) => ({ name: m[1]! })],
  [/^Did not expect text in element (\S+) content$/, (m) => ({ name: m[1]! })],
  [/^Extra element (\S+) in interleave$/, (m) => ({ name: m[1]! })],
  [/^Type \S+ doesn't allow value '(.*)'$/, (m) => ({ name: '', value: m[1]! })],
  [/^Element (\S+) /, (m) => ({ name: m[1]! })],
]

/**
 * The lines of `xml` (the text as submitted) that libvirt's refusal `output` (virsh's stderr) is about, one entry a
 * place, most specific first. `currentXml`: libvirt's definition before the edit, to tell edited elements apart.
 */
export function libvirtRefusalLines(output: string, xml: string, currentXml?: string): LineError[] {
  let read: ReturnType<typeof parseXmlKeepingText>
  try {
    read = parseXmlKeepingText(xml, 'the edited XML')
  } catch (error) {
    if (error instanceof ParseError) return []
    throw error
  }
  const elements = allElements(read.document.root)
  const changed = changedElements(read.document.root, currentXml)
  const pick = (candidates: XmlElement[]) => candidates.find((el) => changed.has(el)) ?? candidates[0]
  const lines = messagesOf(output)
  const findings: Finding[] = []
  const schema = lines.some((line) => /failed to validate against schema/.test(line))
  for (const message of lines) {
    if (/^(error: )?Failed to define /.test(message) || /failed to validate against schema/.test(message)) continue
    const element = schema
      ? schemaElement(message, elements, changed, pick)
      : quotedValueElement(message, elements, pick)
    if (!element) continue
    // libxml2 repeats the complaint for every ancestor of the element at fault: one mark, on the element itself.
    if (findings.some((found) => found.element === element || isAncestor(element, found.element))) continue
    findings.push({ element, message: message.replace(/^error: /, '') })
  }
  return findings.map(({ element, message }) => ({ line: read.lineOf(element), message }))
}

/** The message lines of virsh's error output, without blanks. */
function messagesOf(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
}

function schemaElement(
  message: string,
  elements: XmlElement[],
  changed: Set<XmlElement>,
  pick: (candidates: XmlElement[]) => XmlElement | undefined,
): XmlElement | undefined {
  for (const [pattern, target] of schemaMessages) {
    const match = message.match(pattern)
    if (!match) continue
    const { name, attribute, child, value } = target(match)
    if (value !== undefined) return pick(elements.filter((el) => el.attributes.some((a) => a.value === value)))
    const named = elements.filter((el) => el.name === name)
    if (attribute) return pick(named.filter((el) => el.attributes.some((a) => a.name === attribute)))
    if (child) {
      // "extra content" names the first child the schema could not place (or "text" where only elements may be):
      // often an unchanged sibling in front of the one the edit added, which is then the one meant
      const parent =
        pick(named.filter((el) => el.children.some((c) => isElement(c) && c.name === child))) ?? pick(named)
      const children = parent?.children.filter(isElement) ?? []
      const first = children.find((c) => c.name === child)
      return first && changed.has(first) ? first : (children.find((c) => changed.has(c)) ?? first ?? parent)
    }
    return pick(named)
  }
  return undefined
}

/**
 * libvirt's own checks quote the values they refuse; the element holding the most of them (values that look like
 * addresses, names with digits, ports: a plain word such as "yes" would match any sentence).
 */
function quotedValueElement(
  message: string,
  elements: XmlElement[],
  pick: (candidates: XmlElement[]) => XmlElement | undefined,
): XmlElement | undefined {
  const mentions = (value: string) => {
    if (value.length < 3 || !/[0-9.:/_-]/.test(value)) return false
    const at = message.indexOf(value)
    if (at < 0) return false
    const edge = /[\w.:-]/
    return !edge.test(message[at - 1] ?? ' ') && !edge.test(message[at + value.length] ?? ' ')
  }
  const scored = elements
    .map((el) => ({ el, score: el.attributes.filter((a) => mentions(a.value)).length }))
    .filter((entry) => entry.score > 0)
  const best = Math.max(0, ...scored.map((entry) => entry.score))
  return pick(scored.filter((entry) => entry.score === best).map((entry) => entry.el))
}

const isElement = (node: XmlElement['children'][number]): node is XmlElement => node.type === 'element'

function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.filter(isElement).flatMap(allElements)]
}

function isAncestor(candidate: XmlElement, of: XmlElement): boolean {
  return candidate.children.filter(isElement).some((child) => child === of || isAncestor(child, of))
}

/** One element without its children: its name, attributes and own text. */
function signature(el: XmlElement): string {
  const attributes = el.attributes.map((a) => `${a.name}=${a.value}`).sort()
  const text = el.children
    .filter((c) => c.type === 'text')
    .map((c) => c.value.trim())
    .join('')
  return JSON.stringify([el.name, attributes, text])
}

/** The elements the edit added or changed, and their ancestors; none when the current definition is not known. */
function changedElements(root: XmlElement, currentXml: string | undefined): Set<XmlElement> {
  const changed = new Set<XmlElement>()
  if (!currentXml) return changed
  let before: Set<string>
  try {
    before = new Set(allElements(parseXml(currentXml).root).map(signature))
  } catch {
    return changed
  }
  const visit = (el: XmlElement): boolean => {
    const childChanged = el.children.filter(isElement).map(visit).some(Boolean)
    const isChanged = childChanged || !before.has(signature(el))
    if (isChanged) changed.add(el)
    return isChanged
  }
  visit(root)
  return changed
}

/** The line (and column) the XML parser stopped at, for the editor to mark. */
export function parseErrorLines(error: ParseError, message = error.message): LineError[] {
  return error.line === undefined ? [] : [{ line: error.line, column: error.column, message }]
}
