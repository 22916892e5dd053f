'use client'

import { Children, Fragment, isValidElement, useMemo, useState } from 'react'
import {
  columnFilteringFeature,
  createFilteredRowModel,
  createPaginatedRowModel,
  createSortedRowModel,
  filterFn_includesString,
  globalFilteringFeature,
  rowPaginationFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  tableFeatures,
  useTable,
  type ColumnDef,
} from '@tanstack/react-table'

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
  /** false where the server already pages the rows (the audit log): then this table never splits them */
  paged?: boolean
  children: React.ReactNode
}

/** Rows per page; a table longer than this pages. */
export const pageSize = 25
/** A table with at least this many rows gets a search box. */
const searchableFrom = 4

const features = tableFeatures({
  rowSortingFeature,
  columnFilteringFeature,
  globalFilteringFeature,
  rowPaginationFeature,
  sortedRowModel: createSortedRowModel(),
  filteredRowModel: createFilteredRowModel(),
  paginatedRowModel: createPaginatedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric },
  filterFns: { includesString: filterFn_includesString },
})

type RowText = { index: number; cells: string[] }

/** The text a cell shows, read from its elements (a button's label is not data, so client components count nothing). */
function textOf(node: React.ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node)
  if (Array.isArray(node)) return node.map(textOf).join('')
  if (isValidElement<{ children?: React.ReactNode; title?: string }>(node))
    return typeof node.type === 'string' || node.type === Fragment ? textOf(node.props.children) : ''
  return ''
}

/** The cells of a row, through the fragments a shared cell component returns. */
function cellsOf(node: React.ReactNode): React.ReactElement[] {
  return Children.toArray(node).flatMap((child) =>
    isValidElement<{ children?: React.ReactNode }>(child) && child.type === Fragment
      ? cellsOf(child.props.children)
      : isValidElement(child)
        ? [child]
        : [],
  )
}

/**
 * The tables of the dashboard: headings, an optional caption, an empty-state row, then the caller's rows. Every table
 * sorts by a click on a heading (text and numbers compared as people read them), a longer one has a search box over
 * all its cells, and one longer than `pageSize` rows pages. The rows stay the caller's own elements (links, forms and
 * buttons keep working); only their order and which of them show change.
 */
export function DataTable({
  columns,
  empty,
  caption,
  testId,
  frame = 'card',
  className,
  paged = true,
  children,
}: DataTableProps) {
  const headings = columns.filter((column): column is string => column !== false)
  // the headings' text is the identity of the columns (the caller passes a fresh array each render)
  const headingKey = headings.join('\u0000')
  const rows = useMemo(
    () => Children.toArray(children).filter(isValidElement<{ children?: React.ReactNode }>),
    [children],
  )
  const data = useMemo<RowText[]>(
    () => rows.map((row, index) => ({ index, cells: cellsOf(row.props.children).map((cell) => textOf(cell).trim()) })),
    [rows],
  )
  const tableColumns = useMemo<ColumnDef<typeof features, RowText>[]>(
    () =>
      headingKey.split('\u0000').map((heading, position) => ({
        id: String(position),
        header: heading,
        accessorFn: (row: RowText) => row.cells[position] ?? '',
        sortFn: 'alphanumeric',
        enableSorting: heading !== 'Actions',
        enableGlobalFilter: heading !== 'Actions',
      })),
    [headingKey],
  )
  const [search, setSearch] = useState('')
  const table = useTable({
    features,
    columns: tableColumns,
    data,
    globalFilterFn: 'includesString',
    initialState: { pagination: { pageIndex: 0, pageSize: paged ? pageSize : Number.MAX_SAFE_INTEGER } },
  })
  const shown = table.getRowModel().rows
  const filtered = table.getFilteredRowModel().rows.length
  const searchable = rows.length >= searchableFrom
  const label = typeof caption === 'string' ? caption : (testId?.replaceAll('-', ' ') ?? 'table')
  const pages = table.getPageCount()

  const tableElement = (
    <table className="table" data-testid={testId}>
      {caption && <caption className="px-3 py-2 text-left font-semibold">{caption}</caption>}
      <thead>
        <tr>
          {table.getHeaderGroups()[0]?.headers.map((header) => {
            const heading = headings[Number(header.column.id)]
            const sorted = header.column.getIsSorted()
            if (!header.column.getCanSort()) return <th key={header.id}>{heading}</th>
            return (
              <th
                key={header.id}
                aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
              >
                <button
                  type="button"
                  className="inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-white"
                  onClick={header.column.getToggleSortingHandler()}
                >
                  {heading}
                  <span aria-hidden>{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}</span>
                </button>
              </th>
            )
          })}
        </tr>
      </thead>
      <tbody>
        {empty && (
          <tr>
            <td colSpan={headings.length} className="py-6 text-center text-slate-500 dark:text-slate-400">
              {empty}
            </td>
          </tr>
        )}
        {searchable && filtered === 0 && (
          <tr>
            <td colSpan={headings.length} className="py-6 text-center text-slate-500 dark:text-slate-400">
              No row matches “{search}”.
            </td>
          </tr>
        )}
        {shown.map((row) => rows[row.original.index])}
      </tbody>
    </table>
  )
  const toolbar = searchable && (
    <div className="flex flex-wrap items-center gap-3 px-3 pt-3 text-sm">
      <input
        type="search"
        className="input max-w-xs"
        placeholder="Search…"
        aria-label={`Search ${label}`}
        value={search}
        onChange={(event) => {
          setSearch(event.target.value)
          table.setGlobalFilter(event.target.value)
        }}
      />
      {search && (
        <span className="text-slate-600 dark:text-slate-400" role="status">
          {filtered} of {rows.length} rows
        </span>
      )}
    </div>
  )
  const pager = pages > 1 && (
    <nav aria-label={`Pages of ${label}`} className="flex items-center gap-2 px-3 py-2 text-sm">
      <button
        type="button"
        className="btn btn-sm"
        onClick={() => table.previousPage()}
        disabled={!table.getCanPreviousPage()}
      >
        Previous
      </button>
      <span>
        Page {table.state.pagination.pageIndex + 1} of {pages}
      </span>
      <button type="button" className="btn btn-sm" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
        Next
      </button>
    </nav>
  )
  const content = (
    <>
      {toolbar}
      {tableElement}
      {pager}
    </>
  )
  if (frame === 'none') return content
  const classes = [frame === 'card' ? 'card overflow-x-auto p-0' : 'overflow-x-auto', className]
    .filter(Boolean)
    .join(' ')
  return frame === 'card' ? <section className={classes}>{content}</section> : <div className={classes}>{content}</div>
}
