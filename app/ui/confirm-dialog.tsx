'use client'

import * as AlertDialog from '@radix-ui/react-alert-dialog'

/**
 * What a destructive action asks before it runs: a title ("Delete the mapping of 52:54:…?"), its consequences in
 * words (which guests lose what) and the label of the button that goes ahead.
 */
export type Confirmation = {
  title: string
  consequences: React.ReactNode
  /** the label of the button that goes ahead; the action's own label when left out */
  confirmLabel?: string
}

/**
 * The one confirmation dialog of the dashboard (Radix's alert dialog: focus trapped inside, Escape and Cancel
 * close it, focus returns to the button that opened it). `trigger` is the button that opens it; `onConfirm` runs
 * the action.
 */
export function ConfirmDialog({
  confirmation,
  trigger,
  fallbackLabel,
  onConfirm,
}: {
  confirmation: Confirmation
  trigger: React.ReactElement
  fallbackLabel: string
  onConfirm: () => void
}) {
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger asChild>{trigger}</AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/50" />
        <AlertDialog.Content className="card fixed top-1/2 left-1/2 z-50 w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 space-y-3 text-left whitespace-normal shadow-xl">
          <AlertDialog.Title className="text-lg font-semibold">{confirmation.title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="text-sm text-slate-700 dark:text-slate-300">{confirmation.consequences}</div>
          </AlertDialog.Description>
          <div className="flex justify-end gap-2 pt-2">
            <AlertDialog.Cancel className="btn">Cancel</AlertDialog.Cancel>
            <AlertDialog.Action className="btn btn-danger" onClick={onConfirm}>
              {confirmation.confirmLabel ?? fallbackLabel}
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}
