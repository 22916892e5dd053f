/** A column heading; false leaves the column out (e.g. "Actions" for a user who may not act). */
export type Column = string | false

type DataTableProps = {
  columns: readonly Column[]
  /** shown as one full-width row: pass it only when there are no rows */
  empty?: React.ReactNode
  caption?: React.ReactNode
  testId?: string
  /** card: a scrolling card of its own; scroll: only scrolls; none: bare, inside a card that has other content */
  frame?: 'card' | 'scroll' | 'none'
  /** classes added to the frame */
  className?: string
  children: React.ReactNode
}

/** The tables of the dashboard: headings, an optional caption, an empty-state row, then the caller's rows. */
export function DataTable({ columns, empty, caption, testId, frame = 'card', className, children }: DataTableProps) {
  const headings = columns.filter((column): column is string => column !== false)
  const table = (
    <table className="table" data-testid={testId}>
      {caption && <caption className="px-3 py-2 text-left font-semibold">{caption}</caption>}
      <thead>
        <tr>
          {headings.map((heading) => (
            <th key={heading}>{heading}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {empty && (
          <tr>
            <td colSpan={headings.length} className="py-6 text-center text-slate-500">
              {empty}
            </td>
          </tr>
        )}
        {children}
      </tbody>
    </table>
  )
  if (frame === 'none') return table
  const classes = [frame === 'card' ? 'card overflow-x-auto p-0' : 'overflow-x-auto', className]
    .filter(Boolean)
    .join(' ')
  return frame === 'card' ? <section className={classes}>{table}</section> : <div className={classes}>{table}</div>
}
