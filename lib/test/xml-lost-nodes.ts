import 'server-only'
import { getAttribute } from '@/lib/xml/xml-query'
import { cloneNode, isElement, type XmlElement, type XmlNode } from '@/lib/xml/xml-tree'

/*
 * Test and bench support: what an edit of a libvirt element lost. Child elements are matched by name and position
 * among the siblings of that name (the second <tag> of <vlan> against the second one after), so a dropped or
 * re-numbered element shows up under its own path.
 */

/** Names an attribute the edit was asked to change (its value, or its presence), e.g. the interface's source. */
export type AskedChange = (path: string, attribute: string) => boolean

/**
 * Every element, attribute and text of `before` that `after` lacks or holds with another value, as paths such as
 * `interface/address[0]@slot`. An element that is gone counts once, plus each attribute and descendant it had.
 */
export function lostNodes(
  before: XmlElement,
  after: XmlElement | undefined,
  asked: AskedChange = () => false,
): string[] {
  return lost(before, after, before.name, asked)
}

function lost(before: XmlElement, after: XmlElement | undefined, path: string, asked: AskedChange): string[] {
  if (!after) return [path, ...everything(before, path)]
  const out: string[] = []
  for (const attribute of before.attributes)
    if (getAttribute(after, attribute.name) !== attribute.value && !asked(path, attribute.name))
      out.push(`${path}@${attribute.name}`)
  const texts = (el: XmlElement) => el.children.filter((c) => !isElement(c)).map(nonElementText)
  const [textBefore, textAfter] = [texts(before), texts(after)]
  textBefore.forEach((value, i) => {
    if (textAfter[i] !== value) out.push(`${path}/text()[${i}]`)
  })
  const seen = new Map<string, number>()
  for (const child of before.children) {
    if (!isElement(child)) continue
    const index = seen.get(child.name) ?? 0
    seen.set(child.name, index + 1)
    const counterpart = after.children.filter((c): c is XmlElement => isElement(c) && c.name === child.name)[index]
    out.push(...lost(child, counterpart, `${path}/${child.name}[${index}]`, asked))
  }
  return out
}

function everything(el: XmlElement, path: string): string[] {
  return [
    ...el.attributes.map((a) => `${path}@${a.name}`),
    ...el.children.flatMap((child, i) =>
      isElement(child)
        ? [`${path}/${child.name}`, ...everything(child, `${path}/${child.name}`)]
        : [`${path}/text()[${i}]`],
    ),
  ]
}

function nonElementText(node: XmlNode): string {
  if (node.type === 'pi') return `<?${node.target} ${node.data}?>`
  return node.type === 'element' ? '' : `${node.type}:${node.value}`
}

/** The changes a move is allowed to make: the interface's type, and which network, bridge or portgroup its source names. */
export const sourceOnly: AskedChange = (path, attribute) =>
  (path === 'interface' && attribute === 'type') ||
  (/^interface\/source\[0\]$/.test(path) && ['network', 'bridge', 'portgroup', 'portid'].includes(attribute))

/**
 * `before` with the type attribute and the <source> element of `after` put in their places: equal (toEqual) to `after`
 * exactly when a move changed nothing else, in content or in order.
 */
export function withSourceOf(before: XmlElement, after: XmlElement): XmlElement {
  const expected = cloneNode(before)
  const type = getAttribute(after, 'type')
  expected.attributes = expected.attributes.map((a) =>
    a.name === 'type' && type !== undefined ? { ...a, value: type } : a,
  )
  const source = after.children.find((c): c is XmlElement => isElement(c) && c.name === 'source')
  const at = expected.children.findIndex((c) => isElement(c) && c.name === 'source')
  if (source && at >= 0) expected.children[at] = cloneNode(source)
  return expected
}
