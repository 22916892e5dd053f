import Link from 'next/link'

/** "Hosts / lab-a / networks" above a page title. */
export function Breadcrumbs({ trail }: { trail: Array<{ label: string; href?: string }> }) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm text-slate-600 dark:text-slate-400">
      {trail.map((crumb, index) => (
        <span key={index}>
          {index > 0 && ' / '}
          {crumb.href ? (
            <Link href={crumb.href} className="hover:underline">
              {crumb.label}
            </Link>
          ) : (
            crumb.label
          )}
        </span>
      ))}
    </nav>
  )
}

/**
 * The trail above a network's pages: "Hosts / lab-a / networks" on the network's own page, and below it the network
 * links back to that page, "Hosts / lab-a / default / edit".
 */
export function NetworkBreadcrumbs({
  host,
  network,
  page,
}: {
  host: { id: string; name: string }
  network: string
  /** the page below the network's own ("edit", "static DHCP"); none on the network's own page */
  page?: string
}) {
  const networks = `/hosts/${host.id}/networks`
  const below = page
    ? [{ label: network, href: `${networks}/${encodeURIComponent(network)}` }, { label: page }]
    : [{ label: 'networks' }]
  return <Breadcrumbs trail={[{ label: 'Hosts', href: '/hosts' }, { label: host.name, href: networks }, ...below]} />
}
