import Link from 'next/link'

/** "Hosts / lab-a / networks" above a page title. */
export function Breadcrumbs({ trail }: { trail: Array<{ label: string; href?: string }> }) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
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
