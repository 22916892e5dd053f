import 'server-only'
import { createHash } from 'node:crypto'
import { chains, ipv6HeaderMark, jumps, nft, stateToken, type FirewallBackend } from '@/lib/forwards/rules'
import { shellQuote } from '@/lib/ssh'

/** Where Virtnet keeps a host's forward table; under libvirt's own state directory, next to what it serves. */
export const statePath = '/var/lib/libvirt/virtnet/forwards.rules'
/** Run-time state of the hook (which guests run, its log); /run is emptied at boot, when no guest runs either. */
export const runDir = '/run/libvirt/virtnet'
export const hookLogPath = `${runDir}/forwards.log`
/*
 * libvirt (since 6.5) runs every executable in /etc/libvirt/hooks/<driver>.d/ after the main <driver> script, so
 * installing here leaves an existing /etc/libvirt/hooks/qemu untouched and still running.
 */
export const hookPaths = {
  qemu: '/etc/libvirt/hooks/qemu.d/virtnet-forwards',
  network: '/etc/libvirt/hooks/network.d/virtnet-forwards',
} as const

const tableChains = (table: 'nat' | 'filter') => (table === 'nat' ? [chains.dnat, chains.snat] : [chains.forward])
/** The drop_jumps calls of a table's jumps, one after the other. */
const dropJumps = (table: 'nat' | 'filter') =>
  jumps
    .filter((jump) => jump.table === table)
    .map((jump) => `drop_jumps "$1" ${table} ${jump.chain} ${jump.rule.split(' ').at(-1)}`)
    .join('; ')

/**
 * The awk statements that print one table's section of an iptables-restore batch in its END: the chains, the live
 * jumps to delete (from drop_jumps, in the environment), then one jump at the top of each built-in chain and the
 * rules, or, with no live rule at all, the chains removed. (The jumps' text has no quote or backslash.)
 */
function awkSection(table: 'nat' | 'filter', rules: string, count: string, drops: string): string {
  const names = tableChains(table)
  const inserts = jumps.filter((jump) => jump.table === table).map((jump) => `-I ${jump.chain} 1 ${jump.rule}`)
  return [
    `      printf "*${table}\\n${names.map((c) => `:${c} - [0:0]\\n`).join('')}"`,
    `      if (ENVIRON["${drops}"] != "") print ENVIRON["${drops}"]`,
    `      if (any) {`,
    ...inserts.map((line) => `        print "${line}"`),
    `        for (i = 1; i <= ${count}; i++) print ${rules}[i]`,
    `      } else {`,
    ...names.map((c) => `        print "-X ${c}"`),
    `      }`,
    `      print "COMMIT"`,
  ].join('\n')
}

// Lines of the state file are "R UUID TABLE RULE"; anything else (a corrupt or cut-off file) is skipped. Only a
// regular file is read: awk would wait forever on a FIFO.
const iptablesRulesFor = String.raw`rules_for() {
  [ -f "$STATE" ] && [ -r "$STATE" ] || return 0
  awk -v table="$1" -v active=" $active " '
    $1 == "R" && $3 == table && $2 ~ /^[0-9a-f-]+$/ && index(active, " " $2 " ") > 0 &&
    $4 == "-A" && $5 ~ /^VIRTNET_(DNAT|SNAT|FWD)$/ && $0 !~ /[^][A-Za-z0-9 .\/:_,"!-]/ {
      sub(/^R [^ ]+ [^ ]+ /, ""); print
    }' "$STATE"
}`

// nftables: "R UUID CHAIN RULE" with CHAIN dnat, snat or accept. The characters allowed leave out ";", "#" and
// newlines, so a line can never be more than one rule of its chain in the nft batch.
const nftRulesFor = String.raw`rules_for() {
  [ -f "$STATE" ] && [ -r "$STATE" ] || return 0
  awk -v chain="$1" -v active=" $active " '
    $1 == "R" && $3 == chain && $2 ~ /^[0-9a-f-]+$/ && index(active, " " $2 " ") > 0 &&
    $0 ~ / comment "vn:[A-Za-z0-9-]+:[0-9a-f]+"$/ && $0 !~ /[^][A-Za-z0-9 .\/:_,"!={}-]/ {
      sub(/^R [^ ]+ [^ ]+ /, ""); print
    }' "$STATE"
}`

// IPv6 (ip6tables, the ip6 tables of nft) is only touched on a host that has IPv6 forwards now (the table's first
// line says so, read by the shell's own read) or had them at the last apply (the mark in $RUN): the IPv4 path runs
// exactly what it ran before IPv6 forwards existed.
const ipv6Check = String.raw`uses_ipv6() {
  [ -e "$IPV6_MARK" ] && return 0
  [ -f "$STATE" ] && [ -r "$STATE" ] || return 1
  IFS= read -r head 2>/dev/null <"$STATE" || return 1
  case $head in *'${ipv6HeaderMark}'*) return 0 ;; esac
  return 1
}

# After an apply that touched IPv6: the mark stays while IPv6 rules are live, so the apply that removes them runs.
mark_ipv6() {
  if [ -n "$( { rules_for ${stateToken('nat', 'ipv6')}; rules_for ${stateToken('dnat', 'ipv6')}; } | head -n 1)" ]; then
    command : 2>/dev/null >"$IPV6_MARK"
  else
    rm -f "$IPV6_MARK" 2>/dev/null
  fi
  return 0
}`

const iptablesBatch =
  () => String.raw`# Deletes every existing jump to our chain (as many as there are), so the batch can insert exactly one at the top.
# One listing per chain: listing a whole table prints every forward's rules too, which takes far longer.
drop_jumps() {
  "$1" -w 5 -t "$2" -S "$3" 2>/dev/null | awk -v target="$4" '$1 == "-A" && $NF == target { $1 = "-D"; print }'
}

# One family's whole batch (both tables) from ONE read of the table: $1 the tool (iptables, ip6tables), $2 the mark
# of the family's lines in the state file ('' for IPv4, 6 for IPv6). The same lines as rules_for takes, nothing else.
family_batch() {
  src=/dev/null
  [ -f "$STATE" ] && [ -r "$STATE" ] && src=$STATE
  VN_NAT_DROPS=$(${dropJumps('nat')}) \
  VN_FILTER_DROPS=$(${dropJumps('filter')}) \
  awk -v nat="nat$2" -v filter="filter$2" -v active=" $active " '
    $1 == "R" && ($3 == nat || $3 == filter) && $2 ~ /^[0-9a-f-]+$/ && index(active, " " $2 " ") > 0 &&
    $4 == "-A" && $5 ~ /^VIRTNET_(DNAT|SNAT|FWD)$/ && $0 !~ /[^][A-Za-z0-9 .\/:_,"!-]/ {
      t = $3; sub(/^R [^ ]+ [^ ]+ /, "")
      if (t == nat) n[++nn] = $0; else f[++fn] = $0
    }
    END {
      any = nn + fn
${awkSection('nat', 'n', 'nn', 'VN_NAT_DROPS')}
${awkSection('filter', 'f', 'fn', 'VN_FILTER_DROPS')}
    }' "$src"
}

batch() {
  family_batch iptables ''
}

batch6() {
  family_batch ip6tables 6
}

# IPv4 and IPv6 are two batches (iptables and ip6tables are two tools); each is all or nothing.
apply_batch() {
  batch | iptables-restore -w 5 --noflush 2>&1 || return 1
  uses_ipv6 || return 0
  batch6 | ip6tables-restore -w 5 --noflush 2>&1 || return 1
  mark_ipv6
}`

/*
 * ONE nft batch (nft -f, a single kernel transaction), IPv6 included: per family, Virtnet's table is dropped and
 * rebuilt whole; in libvirt's table of that family, every jump of ours is deleted (by handle) and one is inserted at
 * the top of guest_input, ahead of the rejects libvirt inserted since. With no live rule, the batch leaves nothing of
 * Virtnet's behind.
 */
const nftBatch = String.raw`# Deletes every jump of ours in libvirt's guest_input of table $1 (as many as there are), by handle.
drop_nft_jumps() {
  nft -a list chain $1 ${nft.libvirtChain} 2>/dev/null |
    awk -v lt="$1" '/jump ${nft.acceptChain}/ && /comment "${nft.jumpComment}"/ { print "delete rule " lt " ${nft.libvirtChain} handle " $NF }'
}

# One family's part of the batch. $1: nft's family (ip, ip6); $2: its mark in the state file ('' for IPv4, 6).
section() {
  f=$1 lt="$1 ${nft.libvirtTable}"
  any=$( { rules_for dnat$2; rules_for snat$2; rules_for accept$2; } | head -n 1)
  printf 'table %s ${nft.table}\ndelete table %s ${nft.table}\n' "$f" "$f"
  if [ -n "$any" ]; then
    printf 'table %s ${nft.table} {\n  chain forwards {\n' "$f"
    rules_for dnat$2 | sed 's/^/    /'
    printf '  }\n  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n    fib daddr type local jump forwards\n  }\n'
    # Connections from the host itself to its own address:port never pass prerouting.
    printf '  chain output {\n    type nat hook output priority -100; policy accept;\n    fib daddr type local jump forwards\n  }\n'
    printf '  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n'
    rules_for snat$2 | sed 's/^/    /'
    printf '  }\n}\n'
  fi
  # libvirt's table exists once one of its networks runs; until then nothing of libvirt's rejects a forward.
  nft list chain $lt ${nft.libvirtChain} >/dev/null 2>&1 || return 0
  drop_nft_jumps "$lt"
  printf 'add chain %s ${nft.acceptChain}\nflush chain %s ${nft.acceptChain}\n' "$lt" "$lt"
  if [ -n "$any" ]; then
    rules_for accept$2 | sed "s/^/add rule $lt ${nft.acceptChain} /"
    printf 'insert rule %s ${nft.libvirtChain} ct status dnat jump ${nft.acceptChain} comment "${nft.jumpComment}"\n' "$lt"
  else
    printf 'delete chain %s ${nft.acceptChain}\n' "$lt"
  fi
}

batch() {
  section ip ''
  if uses_ipv6; then section ip6 6; fi
}

apply_batch() {
  batch | nft -f - 2>&1 || return 1
  if uses_ipv6; then mark_ipv6; fi
}`

/** Where the hook finds its files and tools; a test generates the same script over a temporary root. */
export type HookLocations = {
  /** the forward table Virtnet writes */
  state: string
  /** run-time state: which guests run, the lock, the log */
  run: string
  /** the PATH the hook looks its tools up in */
  path: string
}
export const hostLocations: HookLocations = { state: statePath, run: runDir, path: '/usr/sbin:/usr/bin:/sbin:/bin' }

/**
 * The hook: POSIX sh, self-contained, never calls libvirt (a hook that does deadlocks libvirtd), bounded waits,
 * and exit 0 on every path when libvirt runs it: a non-zero exit on "reconnect" makes libvirt kill the running
 * guest, on "prepare" or "start" it refuses to start it. Only Virtnet's own apply (`sh -s -- apply UUID...`)
 * reports a failure, so the executor undoes the change. Each apply is ONE iptables-restore batch, so the host
 * never holds half a table, and it first deletes the existing jumps, so they end up first and only once however
 * often it runs.
 */
export function hookScript(at: HookLocations = hostLocations, backend: FirewallBackend = 'iptables'): string {
  return String.raw`#!/bin/sh
# Virtnet port-forward hook (${backend}). Generated by Virtnet and replaced by it: local edits are lost.
#   libvirt runs it as  qemu.d/virtnet-forwards GUEST OP SUBOP EXTRA   (domain XML on stdin)
#                  and  network.d/virtnet-forwards NETWORK OP SUBOP    (network XML on stdin)
#   Virtnet runs it as  sh -s -- apply UUID...   (the script on stdin): apply the table with these guests running.
# Run by libvirt, every path exits 0 and whatever went wrong goes to the log (or stderr): a non-zero exit refuses
# to start the guest or network, and on "reconnect" libvirt kills the guest. Hence no "set -e", and a special
# builtin (exec, :) whose redirection may fail runs under "command": otherwise the failed redirection ends the
# shell with status 2. Run by Virtnet, a failed apply exits 1, so the change is undone.
set +eu
PATH=${shellQuote(at.path)}
export PATH
STATE=${shellQuote(at.state)}
RUN=${shellQuote(at.run)}
ACTIVE="$RUN/forwards-active"
LOG="$RUN/forwards.log"
IPV6_MARK="$RUN/forwards-ipv6"

# Told apart by the name libvirt runs it under; anything else is Virtnet's apply only when asked for by name.
case $0 in
  */qemu.d/*) mode=qemu ;;
  */network.d/*) mode=network ;;
  *) if [ "$1" = apply ]; then mode=virtnet; else mode=unknown; fi ;;
esac

note() {
  size=$(wc -c 2>/dev/null <"$LOG")
  [ "$size" -gt 200000 ] 2>/dev/null && command : 2>/dev/null >"$LOG"
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" 2>/dev/null >>"$LOG" || printf 'virtnet-forwards: %s\n' "$*" >&2
}

fail() {
  note "FAILED (virtnet): $*"
  printf 'virtnet-forwards: %s\n' "$*" >&2
  exit 1
}

# Serializes the hook's runs and Virtnet's applies. Returns 1 when the lock file cannot be opened; a lock held
# for more than 10 s is noted and the run goes on without it.
lock() {
  mkdir -p "$ACTIVE" 2>/dev/null
  command exec 9>>"$RUN/forwards.lock" || return 1
  command -v flock >/dev/null 2>&1 || return 0
  flock -w 10 9 || note "went on without the lock after 10 s ($*)"
  return 0
}

# Lines of the state file are "R UUID TABLE RULE"; anything else (a corrupt or cut-off file) is skipped. Only a
# regular file is read: awk would wait forever on a FIFO.
${backend === 'nftables' ? nftRulesFor : iptablesRulesFor}

${ipv6Check}

${backend === 'nftables' ? nftBatch : iptablesBatch()}

apply() {
  active=$(ls "$ACTIVE" 2>/dev/null | tr '\n' ' ')
  if out=$(apply_batch); then
    note "applied ($*)"
    return 0
  fi
  note "FAILED ($*): $out"
  printf 'virtnet-forwards: applying the forward table failed (%s): %s\n' "$*" "$out" >&2
  return 1
}

case $mode in
  qemu)
    guest=$1 op=$2
    case $op in start | reconnect | stopped | release) ;; *) exit 0 ;; esac
    uuid=$(sed -n 's:.*<uuid>\([0-9a-f-]*\)</uuid>.*:\1:p' 2>/dev/null | head -n 1)
    case $uuid in '' | *[!0-9a-f-]*) exit 0 ;; esac
    lock "qemu $op $guest" || note "no lock in $RUN, going on without it (qemu $op $guest)"
    case $op in
      start | reconnect)
        command : 2>/dev/null >"$ACTIVE/$uuid" || { note "FAILED (qemu $op $guest): cannot write $ACTIVE/$uuid"; exit 0; }
        ;;
      *)
        [ -e "$ACTIVE/$uuid" ] || exit 0
        rm -f "$ACTIVE/$uuid" 2>/dev/null || { note "FAILED (qemu $op $guest): cannot remove $ACTIVE/$uuid"; exit 0; }
        ;;
    esac
    [ -f "$STATE" ] || exit 0
    apply "qemu $op $guest" || true
    exit 0
    ;;
  network)
    # A (re)started network gets libvirt's rules (and maybe jumps) again: put ours back in front.
    [ "$2" = started ] && [ -f "$STATE" ] || exit 0
    lock "network started $1" || note "no lock in $RUN, going on without it (network started $1)"
    apply "network started $1" || true
    exit 0
    ;;
  virtnet)
    shift
    lock virtnet || fail "cannot open the lock $RUN/forwards.lock"
    rm -f "$ACTIVE"/* 2>/dev/null || fail "cannot clear $ACTIVE"
    for uuid in "$@"; do
      case $uuid in
        '' | *[!0-9a-f-]*) ;;
        *) command : 2>/dev/null >"$ACTIVE/$uuid" || fail "cannot write $ACTIVE/$uuid" ;;
      esac
    done
    apply virtnet || exit 1
    exit 0
    ;;
esac
# Installed under another name, or run by hand without "apply": nothing to do, and nothing to stop a guest for.
note "ignored a call as $0 $*"
exit 0
`
}

/** Identifies the hook's content, to tell an installed hook that is current from an outdated one. */
export function hookDigest(script: string = hookScript()): string {
  return createHash('sha256').update(script).digest('hex')
}
