#!/usr/bin/env bash
# Virtnet test lab: two libvirt hosts reachable over SSH with the dashboard's key.
#   host A = this machine's libvirt, behind a lab sshd on 127.0.0.1:2222
#   host B = a second libvirtd in its own network, mount and UTS namespaces, sshd on 10.77.0.2:22
#   spare  = another sshd for host A on 127.0.0.1:2223 whose host key tests may rotate
#   host C = a Debian 13 root (libvirt 11, nftables backend) chrooted in its own namespaces, sshd on 10.77.0.6:22
#   b-sudo = host B again, as the non-root user vnsudo (passwordless sudo), through a second sshd on 10.77.0.2:2222
# Usage: lab.sh [up [--wait-leases] | up-c | build-c | down | status | wait-leases | rekey-spare | exec-b -- CMD... | exec-c -- CMD...
#               | authorize-key PUBKEY | unauthorize-key PUBKEY | hosts]
# See scripts/lab/README.md.
set -euo pipefail
# Note: no `grep -q` at the end of pipes; it exits early and pipefail turns the writer's SIGPIPE
# into a failure.

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SCRIPT")/../.." && pwd)

# Same resolution rules as lib/config/paths.ts (relative paths are taken from the repo root, where npm runs).
abspath() { if [[ $1 = /* ]]; then printf '%s' "$1"; else printf '%s' "$REPO/$1"; fi; }
DATA=$(abspath "${VIRTNET_DATA_DIR:-data}")
KEY=$(abspath "${VIRTNET_SSH_KEY:-$DATA/ssh/id_ed25519}")
LAB=$DATA/lab

NS=vnlab-b
VETH_A=vnlab-a VETH_B=vnlab-b0
IP_A=10.77.0.1 IP_B=10.77.0.2
PORT_A=2222 PORT_SPARE=2223 PORT_B=22 PORT_B_SUDO=2222
# Host B's non-root user: exists only in B's own user database (B's mount namespace), never on this machine.
SUDO_USER_B=vnsudo SUDO_UID_B=60577
GUESTS_A=(vnlab-a1 vnlab-a2)
GUESTS_B=(vnlab-b1)
declare -A MAC=([vnlab-a1]=52:54:00:77:0a:01 [vnlab-a2]=52:54:00:77:0a:02 [vnlab-b1]=52:54:00:77:0b:01)
# sudo: hosts registered with "use sudo" run every command through `sudo -n /bin/sh` (lib/ssh/session.itest.ts).
PACKAGES=(libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu qemu-system-x86 ipxe-qemu
  dnsmasq-base iptables iproute2 openssh-server sudo iputils-ping)
# Host B gets private copies of every directory where libvirt keeps state, config, logs or caches.
B_DIRS=(/run/libvirt /etc/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt)
# The upper and work directories of B's /etc overlay (b_init), fresh at every boot: in /run, outside the checkout,
# whose folder Next's build walks (the work folder is unreadable, the upper one may hold whiteout devices).
B_ETC_UPPER=/run/virtnet-lab/b-etc/upper B_ETC_WORK=/run/virtnet-lab/b-etc/work
STOCK_NET=/usr/share/libvirt/networks/default.xml
LEASE_TIMEOUT=90

not() { ! "$@"; }
log() { printf '[lab] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Print the end of a log so a CI failure explains itself.
die_with_log() {
  local file=$1; shift
  log "ERROR: $*"
  if [[ -s $file ]]; then log "--- last lines of $file ---"; tail -n 25 "$file" >&2; fi
  exit 1
}

# Poll a command until it succeeds; $1 = timeout in tenths of a second.
wait_for() {
  local tries=$1; shift
  until "$@" >/dev/null 2>&1; do
    ((tries-- > 0)) || return 1
    sleep 0.1
  done
}

# Daemons must not inherit the lab lock (fd 9), or later runs would block on it, nor our stdin.
spawn() { "$@" 9>&- </dev/null; }

# pid from a pid file, only if that process is still alive and its command line contains $2
# (pid files survive kill -9 and pids get reused).
live_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -F -- "$2" >/dev/null || return 1
  printf '%s' "$pid"
}

# Replace a file with stdin only when the content differs; returns 0 if it changed.
write_if_changed() {
  local tmp
  tmp=$(mktemp "$1.XXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 1; fi
  mv "$tmp" "$1"
}

ensure_packages() {
  local missing
  mapfile -t missing < <({ dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true; } |
    awk -v want="${PACKAGES[*]}" '$2 == "installed" { ok[$1] = 1 }
      END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!ok[w[i]]) print w[i] }')
  ((${#missing[@]})) || return 0
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >>"$LAB/apt.log" 2>&1 ||
    die_with_log "$LAB/apt.log" "package installation failed"
}

# Debian's udev rule makes /dev/kvm root:kvm 0660; without udev it stays 0600. libvirt then records
# "KVM usable" when probing QEMU as root but "not usable" for the libvirt-qemu user, so its capability
# cache never validates and every API call re-probes QEMU (4-8 s each). Domains still use TCG.
fix_kvm_permissions() {
  [[ -c /dev/kvm ]] && getent group kvm >/dev/null || return 0
  [[ $(stat -c '%G %a' /dev/kvm) == 'kvm 660' ]] && return 0
  chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
}

# This VM's vCPUs report different CPUID data; libvirt re-probes QEMU (~8 s) whenever the daemon
# starts on a different CPU than the cached capabilities were made on. Pinning keeps the cache
# valid across restarts and lets host B reuse host A's cache. Guests get their own affinity.
pinned() { taskset -c 0 "$@"; }

# --- dashboard key ----------------------------------------------------------------------------------

install_dashboard_key() {
  local pub
  pub=$(cd "$REPO" && npx tsx --conditions=react-server scripts/ssh-identity.ts) || die "scripts/ssh-identity.ts failed"
  [[ $pub == ssh-* ]] || die "unexpected public key output: $pub"
  # Added, not written over: every checkout's integration setup runs `up`, and a file written anew dropped the keys a
  # running test had authorized (authorize-key, lib/hosts/dashboard-key.itest.ts) in the middle of its rotation.
  touch "$LAB/authorized_keys"
  grep -qxF -- "$pub" "$LAB/authorized_keys" || printf '%s\n' "$pub" >>"$LAB/authorized_keys"
  chmod 600 "$LAB/authorized_keys"
  [[ -r $KEY ]] || die "dashboard private key $KEY not found"
}

# --- sshd -------------------------------------------------------------------------------------------

# Write the config and host key of one lab sshd. $1 dir, $2 listen address, $3 port.
sshd_prepare() {
  local dir=$1 addr=$2 port=$3 nl=$'\n'
  # SSHD_KEYS_FILE, SSHD_ROOT_LOGIN, SSHD_EXTRA: set by the caller for the sudo host's sshd only.
  local keys=${SSHD_KEYS_FILE:-\"$LAB/authorized_keys\"}
  mkdir -p "$dir" && chmod 700 "$dir"
  [[ -s $dir/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "vnlab-$(basename "$dir")" -f "$dir/ssh_host_ed25519_key"
  # StrictModes no: the checkout's parent directories are not ours to fix.
  # UsePAM/UseDNS/GSSAPI off: each adds login latency and PAM's session modules expect systemd.
  write_if_changed "$dir/sshd_config" <<EOF || true
# Generated by scripts/lab/lab.sh; edits are overwritten.
ListenAddress $addr:$port
HostKey "$dir/ssh_host_ed25519_key"
PidFile "$dir/sshd.pid"
AuthorizedKeysFile $keys
PermitRootLogin ${SSHD_ROOT_LOGIN:-prohibit-password}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
GSSAPIAuthentication no
StrictModes no
PrintMotd no
PrintLastLog no
MaxStartups 100:30:200
MaxSessions 64
Subsystem sftp internal-sftp${SSHD_EXTRA:+$nl$SSHD_EXTRA}
EOF
}

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# Refuse plainly when another checkout's lab (or anything else) already listens where this lab's sshd must.
# $1 addr, $2 port, rest: prefix that enters host B.
port_holder() {
  local addr=$1 port=$2 holder; shift 2
  holder=$("$@" ss -Hltnp "sport = :$port" 2>/dev/null | grep -F "$addr:$port" | grep -o 'pid=[0-9]*' | head -n 1) || true
  [[ -n $holder ]] || return 0
  local cmd; cmd=$(tr '\0' ' ' < "/proc/${holder#pid=}/cmdline" 2>/dev/null || true)
  die "$addr:$port is already taken by ${holder} (${cmd:-unknown}); if that is another checkout's lab, run 'npm run lab -- down' there first"
}

# Start one lab sshd unless it runs. $1 dir, $2 addr, $3 port, rest: prefix that enters host B.
sshd_ensure() {
  local dir=$1 addr=$2 port=$3; shift 3
  local before pid
  before=$(cat "$dir/sshd_config" 2>/dev/null || true)
  sshd_prepare "$dir" "$addr" "$port"
  if pid=$(live_pid "$dir/sshd.pid" "$dir/sshd_config"); then
    # SIGHUP makes sshd re-exec with the new config (same pid).
    if [[ $(<"$dir/sshd_config") != "$before" ]]; then kill -HUP "$pid"; sleep 0.2; fi
  else
    port_holder "$addr" "$port" "$@"
    spawn "$@" /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" ||
      die_with_log "$dir/sshd.log" "sshd for $dir did not start"
  fi
  # sshd daemonizes before binding, so its exit status proves nothing; its pid file comes after the bind.
  if ! wait_for 50 live_pid "$dir/sshd.pid" "$dir/sshd_config" || ! wait_for 50 port_open "$addr" "$port"; then
    die_with_log "$dir/sshd.log" "sshd on $addr:$port is not running"
  fi
}

sshd_stop() {
  local pid
  pid=$(live_pid "$1/sshd.pid" "$1/sshd_config") || return 0
  kill "$pid" 2>/dev/null || true
  # live_pid rather than kill -0: PID 1 here reaps lazily, so dead daemons linger as zombies.
  wait_for 30 not live_pid "$1/sshd.pid" "$1/sshd_config" || kill -9 "$pid" 2>/dev/null || true
}

# --- libvirt helpers (shared by both hosts) ---------------------------------------------------------

# Hosts are named a, b and c; `on b CMD` runs CMD inside host B's namespaces (`on c`: host C's, and its root).
VIRSH=(virsh -q -c qemu:///system)
on() {
  local host=$1; shift
  case $host in b) b_run "$@" ;; c) c_run "$@" ;; *) "$@" ;; esac
}
vsh() { local host=$1; shift; on "$host" "${VIRSH[@]}" "$@"; }
a_reachable() { timeout 10 "${VIRSH[@]}" uri >/dev/null 2>&1; }
b_reachable() { local pid; pid=$(b_pid) && timeout 10 nsenter -t "$pid" -m -n -u -- "${VIRSH[@]}" uri >/dev/null 2>&1; }

nic_model() {
  local m
  for m in virtio e1000; do
    [[ -e /usr/lib/ipxe/qemu/efi-$m.rom || -e /usr/lib/ipxe/qemu/pxe-$m.rom ]] && { echo "$m"; return; }
  done
  die "no iPXE ROM for virtio or e1000 in /usr/lib/ipxe/qemu (package ipxe-qemu)"
}

# $1 name, $2 uuid.
guest_xml() {
  cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <uuid>$2</uuid>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <on_reboot>restart</on_reboot>
  <devices>
    <interface type='network'>
      <source network='default'/>
      <mac address='${MAC[$1]}'/>
      <model type='$(nic_model)'/>
    </interface>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
  </devices>
</domain>
EOF
}

# Accept whatever "default" network exists; only create, autostart and start it as needed.
ensure_default_net() {
  local h=$1 info
  info=$(vsh "$h" net-info default 2>/dev/null) || { vsh "$h" net-define "$STOCK_NET" >/dev/null; info=$(vsh "$h" net-info default); }
  if grep -q '^Persistent: *yes' <<<"$info" && ! grep -q '^Autostart: *yes' <<<"$info"; then
    vsh "$h" net-autostart default >/dev/null
  fi
  grep -q '^Active: *yes' <<<"$info" || vsh "$h" net-start default >/dev/null
}

is_running() { [[ $(vsh "$1" domstate "$2" 2>/dev/null) == running ]]; }

# True if every NIC of a guest is plugged into a bridge.
plugged() {
  local h=$1 name=$2 tap
  for tap in $(vsh "$h" domiflist "$name" | awk '{print $1}'); do
    on "$h" test -e "/sys/class/net/$tap/master" || return 1
  done
}

# A guest whose network was restarted under it keeps running unplugged (libvirt does not re-plug
# its tap into the new bridge), e.g. after tests restart "default". Stop those so ensure_guest
# starts them again. In parallel, see stop_guests.
stop_unplugged() {
  local g
  for g in "${GUESTS_A[@]}"; do { is_running a "$g" && ! plugged a "$g" && vsh a destroy "$g"; } >/dev/null 2>&1 & done
  for g in "${GUESTS_B[@]}"; do { is_running b "$g" && ! plugged b "$g" && vsh b destroy "$g"; } >/dev/null 2>&1 & done
  wait
}

# (Re)define a guest from our XML whenever it is not running, so config drift heals on restart.
ensure_guest() {
  local h=$1 name=$2 state uuid
  state=$(vsh "$h" domstate "$name" 2>/dev/null || true)
  case $state in
    running) return 0 ;;
    paused) vsh "$h" resume "$name" >/dev/null; return 0 ;;
    '' | 'shut off' | crashed) ;;
    *) vsh "$h" destroy "$name" >/dev/null 2>&1 || true ;;
  esac
  # Keep the UUID of an existing definition: libvirt refuses to redefine a name under a new UUID.
  uuid=$(vsh "$h" domuuid "$name" 2>/dev/null | sed '/^$/d') || true
  [[ -n $uuid ]] || uuid=00000000-0000-4000-8000-${MAC[$name]//:/}
  mkdir -p "$LAB/guests"
  guest_xml "$name" "$uuid" >"$LAB/guests/$name.xml"
  vsh "$h" define "$LAB/guests/$name.xml" >/dev/null
  vsh "$h" start "$name" >/dev/null
}

# Destroys run in parallel: each takes ~2 s here because libvirt waits for the killed QEMU to be
# reaped, and this machine's PID 1 reaps lazily.
stop_guests() {
  local h=$1 name; shift
  for name; do vsh "$h" destroy "$name" >/dev/null 2>&1 & done
  wait
}

remove_guests() {
  local h=$1 name
  stop_guests "$@"
  for name in "${@:2}"; do vsh "$h" undefine "$name" >/dev/null 2>&1 || true; done
}

has_lease() { vsh "$1" net-dhcp-leases default 2>/dev/null | grep -i "${MAC[$2]}" >/dev/null; }

# --- host A -----------------------------------------------------------------------------------------

a_virtlogd_pid() { live_pid /run/virtlogd.pid virtlogd; }

# libvirt itself copes with stale pid files and sockets under /run/libvirt (it locks and rebinds).
a_libvirt_ensure() {
  mkdir -p "$LAB/a"
  fix_kvm_permissions
  a_virtlogd_pid >/dev/null || spawn virtlogd -d || die "virtlogd (host A) did not start"
  a_reachable && return 0
  log "starting host A libvirtd"
  LIBVIRT_LOG_OUTPUTS="3:file:$LAB/a/libvirtd.log" spawn pinned libvirtd -d ||
    die_with_log "$LAB/a/libvirtd.log" "libvirtd (host A) did not start"
  wait_for 600 a_reachable || die_with_log "$LAB/a/libvirtd.log" "libvirtd (host A) not answering"
}

# libvirt probes QEMU lazily (~4 s on a fresh machine). Doing it now, before host B boots, lets B
# start from A's capability cache instead of probing a second time.
a_probe_qemu() { vsh a domcapabilities --virttype qemu --arch x86_64 --machine pc >/dev/null; }

# --- host B -----------------------------------------------------------------------------------------

B=$LAB/b
b_fs() { printf '%s' "$B/fs$1"; }

ns_inode() { stat -L -c %i "$1" 2>/dev/null; }

# B's libvirtd is its anchor: its namespaces are host B; everything else is (re)started relative to it.
b_pid() {
  local pid
  pid=$(live_pid "$B/libvirtd.pid" libvirtd) || return 1
  [[ $(ns_inode "/proc/$pid/ns/net") == "$(ns_inode "/run/netns/$NS")" ]] || return 1
  printf '%s' "$pid"
}

b_run() {
  local pid
  pid=$(b_pid) || die "host B is not running (try: npm run lab)"
  nsenter -t "$pid" -m -n -u -- "$@"
}

# True while any of the given pids is a live process (zombies have an empty cmdline).
any_alive() {
  local p
  for p; do [[ -n $(tr -d '\0' 2>/dev/null <"/proc/$p/cmdline") ]] && return 0; done
  return 1
}

# B's processes found through their pid files (B's /run/libvirt copy is visible from here too),
# in case they outlived the namespace's name.
b_known_pids() {
  local f
  live_pid "$B/libvirtd.pid" libvirtd && echo
  live_pid "$B/virtlogd.pid" virtlogd && echo
  live_pid "$B/sshd.pid" "$B/sshd_config" && echo
  for f in "$(b_fs /run/libvirt)"/qemu/*.pid; do live_pid "$f" qemu-system && echo; done
  for f in "$(b_fs /run/libvirt)"/network/*.pid; do live_pid "$f" dnsmasq && echo; done
  true
}

# Kill everything of host B and drop its namespace: equivalent to powering host B off.
# Deleting the netns also removes its veth end, virbr0 and iptables state, which are otherwise
# left behind when processes are killed.
b_poweroff() {
  netns_poweroff "$NS" "$VETH_A" b_known_pids
  # /run is volatile on a real host; start B's next boot without stale pid files and sockets.
  rm -rf "$(b_fs /run/libvirt)"
}

# A lab host's network namespace NS with a veth link to this machine: OURS (this side, address OUR_IP) and THEIRS
# (inside, THEIR_IP), both /30; made where missing, left as it is where it stands.
netns_ensure() {
  local ns=$1 ours=$2 theirs=$3 our_ip=$4 their_ip=$5
  if ! ip netns exec "$ns" true 2>/dev/null; then
    ip netns del "$ns" 2>/dev/null || rm -f "/run/netns/$ns"
    ip netns add "$ns"
  fi
  if ! ip netns exec "$ns" ip link show "$theirs" >/dev/null 2>&1; then
    ip link del "$ours" 2>/dev/null || true
    ip link add "$ours" type veth peer name "$theirs" netns "$ns"
  fi
  ip addr replace "$our_ip/30" dev "$ours"
  ip link set "$ours" up
  ip netns exec "$ns" ip addr replace "$their_ip/30" dev "$theirs"
  ip netns exec "$ns" ip link set "$theirs" up
  ip netns exec "$ns" ip link set lo up
}

# Powers a lab host off: kills every process in its namespace NS and those KNOWN_PIDS (a function) names, then drops
# the namespace (with its bridges and firewall state) and this side's veth end OURS.
netns_poweroff() {
  local ns=$1 ours=$2 known_pids=$3 pids
  mapfile -t pids < <({ [[ ! -e /run/netns/$ns ]] || ip netns pids "$ns" 2>/dev/null; "$known_pids"; } | sort -u)
  if ((${#pids[@]})); then
    kill "${pids[@]}" 2>/dev/null || true
    wait_for 30 not any_alive "${pids[@]}" || kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || rm -f "/run/netns/$ns"
  ip link del "$ours" 2>/dev/null || true
}

b_netns_ensure() { netns_ensure "$NS" "$VETH_A" "$VETH_B" "$IP_A" "$IP_B"; }

# First boot of B: private copies of libvirt's directories, config seeded from the real one
# minus every domain, network and pool definition (the stock default network is added later).
b_seed() {
  local d
  for d in "${B_DIRS[@]}"; do mkdir -p "$(b_fs "$d")"; done
  if [[ ! -e $(b_fs /etc/libvirt)/.seeded ]]; then
    cp -a /etc/libvirt/. "$(b_fs /etc/libvirt)/"
    rm -rf "$(b_fs /etc/libvirt)"/{qemu,storage,secrets}
    mkdir -p "$(b_fs /etc/libvirt)/qemu/networks/autostart"
    touch "$(b_fs /etc/libvirt)/.seeded"
  fi
  mkdir -p "$(b_fs /var/log/libvirt)/qemu" "$(b_fs /var/cache/libvirt)/qemu/capabilities"
  # Reuse A's QEMU probe results (same binaries, same pinned CPU) instead of probing again.
  cp -u -p /var/cache/libvirt/qemu/capabilities/*.xml "$(b_fs /var/cache/libvirt)/qemu/capabilities/" 2>/dev/null || true
}

# Runs inside B's netns in fresh private mount and UTS namespaces (see b_boot); the daemons
# started here keep those namespaces alive after this process exits. Its own hostname keeps the
# two hosts apart in the dashboard and in `virsh hostname`.
b_init() {
  local d
  hostname vnlab-b
  # B's own /etc: an overlay on this machine's. What B writes there (its hosts file, its user database) is B's alone
  # and stays put when this machine replaces a file: useradd and userdel rename a new /etc/passwd into place, and the
  # kernel drops a bind mount of a single file at such a rename in another namespace (the lab's sudo user vanished
  # from B whenever the production-install test added or removed its system user). Fresh at every boot.
  rm -rf "$B_ETC_UPPER" "$B_ETC_WORK"
  mkdir -p "$B_ETC_UPPER" "$B_ETC_WORK"
  mount -t overlay vnlab-b-etc -o "lowerdir=/etc,upperdir=$B_ETC_UPPER,workdir=$B_ETC_WORK" /etc
  for d in "${B_DIRS[@]}"; do
    mkdir -p "$d"
    mount --bind "$(b_fs "$d")" "$d"
  done
  # libvirt resolves the hostname; answer from a hosts file rather than a DNS server B cannot reach.
  grep -q ' vnlab-b$' /etc/hosts || echo '127.0.1.1 vnlab-b' >>/etc/hosts
  virtlogd -d -p "$B/virtlogd.pid"
  LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/libvirtd.log" pinned libvirtd -d -p "$B/libvirtd.pid"
}

b_boot() {
  log "booting host B (netns $NS)"
  b_seed
  spawn ip netns exec "$NS" unshare -m -u --propagation private bash "$SCRIPT" _b-init >>"$B/boot.log" 2>&1 ||
    die_with_log "$B/boot.log" "host B init failed"
  wait_for 100 b_pid || die_with_log "$(b_fs /var/log/libvirt)/libvirtd.log" "host B libvirtd did not start"
}

# Host B's own user database and sudoers, written inside B only, into its /etc overlay (see b_init; this machine's
# /etc is never written): a non-root user with passwordless sudo, and its home with the dashboard's key, for the second
# sshd, which reads keys as the user (the lab's authorized_keys is root's alone). The home is a directory under B's own
# file system tree, which keeps the modes its services need (lib/config/data-dir.ts leaves it alone), bound over /home.
B_SUDO=$B/fs/sudo
# True when B's /etc is its own overlay: only then may the lab write to /etc inside B.
b_etc_is_own() { [[ "$(b_run findmnt -n -o SOURCE --mountpoint /etc 2>/dev/null)" == vnlab-b-etc ]]; }
# Bind $1 over $2 inside host B unless it already is (again if what was bound there has been deleted since).
b_bind() {
  # Already bound from $1 when B sees the very file (device and inode) that $1 is; otherwise (nothing bound yet, bound
  # from an older place, or from a file replaced since) take any old bind off and bind $1.
  [[ "$(b_run stat -L -c %d:%i "$2" 2>/dev/null)" == "$(stat -L -c %d:%i "$1")" ]] && return 0
  b_run umount "$2" 2>/dev/null || true
  b_run mount --bind "$1" "$2"
}
b_sudo_user_ensure() {
  local u=$SUDO_USER_B home=$B_SUDO/home
  b_etc_is_own || die "host B's /etc is not its own overlay; refusing to add $u there (lab down, then lab up)"
  mkdir -p "$home/$u/.ssh"
  # Each piece on its own, so a half-done run is completed.
  b_run sh -s -- "$u" "$SUDO_UID_B" <<'EOS'
u=$1 id=$2 f=/etc/sudoers.d/vnlab-sudo
grep -q "^$u:" /etc/passwd || echo "$u:x:$id:$id:Virtnet lab sudo user:/home/$u:/bin/sh" >>/etc/passwd
grep -q "^$u:" /etc/group || echo "$u:x:$id:" >>/etc/group
grep -q "^$u:" /etc/shadow || echo "$u:*:20000:0:99999:7:::" >>/etc/shadow
printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$u" >"$f.new" && chmod 440 "$f.new" && mv "$f.new" "$f"
EOS
  chmod 755 "$home"
  b_bind "$home" /home
  write_if_changed "$home/$u/.ssh/authorized_keys" <"$LAB/authorized_keys" || true
  chown -R "$SUDO_UID_B:$SUDO_UID_B" "$home/$u" && chmod 700 "$home/$u/.ssh" && chmod 600 "$home/$u/.ssh/authorized_keys"
}

b_ensure() {
  mkdir -p "$B"
  # A host B booted before its /etc became an overlay is booted again.
  { b_pid >/dev/null && b_etc_is_own; } || { b_poweroff; b_netns_ensure; b_boot; }
  b_netns_ensure
  live_pid "$B/virtlogd.pid" virtlogd >/dev/null || spawn b_run virtlogd -d -p "$B/virtlogd.pid"
  wait_for 600 b_reachable || die_with_log "$(b_fs /var/log/libvirt)/libvirtd.log" "host B libvirtd not answering"
}

# --- host C -----------------------------------------------------------------------------------------
# Host C: a Debian 13 (trixie) host with libvirt 11 and libvirt's nftables firewall backend. Its own root file system
# (debootstrap, cached outside the checkout: see CFS), run chrooted in its own network, mount and UTS namespaces, with its own sshd,
# virtlogd, libvirtd and dnsmasq, like host B. See c_tc_shim for the one thing that differs from a stock host.

C=$LAB/c
# A whole Debian tree does not belong in the checkout: Next's build walks the project folder and stops at the tree's
# dangling absolute symlinks (etc/default/locale and others). One cache per machine, reused by every checkout's lab.
CFS=${VIRTNET_LAB_CACHE:-/var/cache/virtnet-lab}/c-trixie-rootfs
NS_C=vnlab-c
VETH_AC=vnlab-c VETH_C=vnlab-c0
IP_AC=10.77.0.5 IP_C=10.77.0.6 PORT_C=22
GUESTS_C=(vnlab-c1)
MAC[vnlab-c1]=52:54:00:77:0c:01
C_SUITE=trixie
C_MIRROR=${VIRTNET_LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
C_PACKAGES=(libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-daemon-driver-network libvirt-clients
  qemu-system-x86 ipxe-qemu dnsmasq-base nftables iptables iproute2 openssh-server sudo python3 procps
  netplan.io systemd iputils-ping)

# The root file system, built once and reused: debootstrap, then the packages from inside a chroot (debootstrap's
# --include fails on libvirt's dependencies). The marker holds the package list, so a changed list rebuilds.
c_rootfs_ensure() {
  local want start=$SECONDS
  want="$C_SUITE ${C_PACKAGES[*]}"
  [[ -s $CFS/.vnlab-ready && $(<"$CFS/.vnlab-ready") == "$want" ]] && return 0
  command -v debootstrap >/dev/null || { PACKAGES+=(debootstrap); ensure_packages; }
  log "building host C's root file system (Debian $C_SUITE, once; log in $C/rootfs.log)"
  mkdir -p "$C" "$(dirname "$CFS")"
  rm -rf "$CFS.tmp"
  if [[ -d $CFS && -x $CFS/usr/bin/apt-get ]]; then mv "$CFS" "$CFS.tmp"; else
    rm -rf "$CFS"
    debootstrap --variant=minbase "$C_SUITE" "$CFS.tmp" "$C_MIRROR" >>"$C/rootfs.log" 2>&1 ||
      die_with_log "$C/rootfs.log" "debootstrap of host C failed"
  fi
  cp /etc/resolv.conf "$CFS.tmp/etc/resolv.conf"
  # No service starts inside the chroot while packages install: host C starts its daemons itself.
  printf '#!/bin/sh\nexit 101\n' >"$CFS.tmp/usr/sbin/policy-rc.d" && chmod 755 "$CFS.tmp/usr/sbin/policy-rc.d"
  unshare -m --propagation private sh -c 'mount -t proc proc "$1/proc" && shift &&
    chroot "$0" env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $*"' \
    "$CFS.tmp" "$CFS.tmp" "${C_PACKAGES[@]}" >>"$C/rootfs.log" 2>&1 || die_with_log "$C/rootfs.log" "package installation in host C failed"
  chroot "$CFS.tmp" apt-get clean
  printf '%s' "$want" >"$CFS.tmp/.vnlab-ready"
  mv "$CFS.tmp" "$CFS"
  log "host C's root file system is ready ($((SECONDS - start)) s)"
}

c_pid() {
  local pid
  pid=$(live_pid "$C/libvirtd.pid" libvirtd) || return 1
  [[ $(ns_inode "/proc/$pid/ns/net") == "$(ns_inode "/run/netns/$NS_C")" ]] || return 1
  printf '%s' "$pid"
}

# Runs a command on host C: its namespaces and its root directory.
c_run() {
  local pid
  pid=$(c_pid) || die "host C is not running (try: npm run lab)"
  nsenter -t "$pid" -m -n -u -r -w -- "$@"
}
c_reachable() { local pid; pid=$(c_pid) && timeout 10 nsenter -t "$pid" -m -n -u -r -w -- "${VIRSH[@]}" uri >/dev/null 2>&1; }

c_known_pids() {
  local f
  live_pid "$C/libvirtd.pid" libvirtd && echo
  live_pid "$C/virtlogd.pid" virtlogd && echo
  live_pid "$C/sshd/sshd.pid" "$C/sshd/sshd_config" && echo
  for f in "$CFS"/run/libvirt/qemu/*.pid; do live_pid "$f" qemu-system && echo; done
  for f in "$CFS"/run/libvirt/network/*.pid; do live_pid "$f" dnsmasq && echo; done
  true
}

c_poweroff() {
  netns_poweroff "$NS_C" "$VETH_AC" c_known_pids
  [[ -d $CFS/run ]] && find "$CFS/run" -mindepth 1 -delete 2>/dev/null || true
}

c_netns_ensure() { netns_ensure "$NS_C" "$VETH_AC" "$VETH_C" "$IP_AC" "$IP_C"; }

# Host C's libvirt configuration (inside its root file system); returns 0 when it changed (libvirtd must restart): nftables backend, QEMU as root without a security
# driver (the chroot has no AppArmor) and without a mount namespace of its own (a chroot cannot make one private).
c_seed() {
  local etc=$CFS/etc/libvirt
  local changed=1
  printf 'firewall_backend = "nftables"\n' | write_if_changed "$etc/network.conf" && changed=0
  printf 'user = "root"\ngroup = "root"\nsecurity_driver = "none"\nremember_owner = 0\nnamespaces = []\n' |
    write_if_changed "$etc/qemu.conf" && changed=0
  c_tc_shim
  printf 'vnlab-c\n' >"$CFS/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 vnlab-c\n' >"$CFS/etc/hosts"
  return "$changed"
}

# libvirt's nftables backend puts a tc checksum action ("action csum ip and udp", for DHCP replies) on every NAT or
# routed network's bridge and gives up starting the network when it fails; this kernel has no act_csum (and loads no
# modules), so no such network would start. Host C's tc (diverted with dpkg-divert, so an iproute2 upgrade keeps it)
# lets exactly that failure pass and logs it to /var/log/vnlab-tc-csum.log; every other tc call, and a csum action
# on a kernel that has the module, runs as it is. What is lost: checksum fix-ups of DHCP replies to vhost-net guests.
c_tc_shim() {
  [[ -e $CFS/usr/sbin/tc.real ]] || chroot "$CFS" dpkg-divert --local --rename --divert /usr/sbin/tc.real --add /usr/sbin/tc >/dev/null
  write_if_changed "$CFS/usr/sbin/tc" <<'EOF' || true
#!/bin/sh
# Virtnet lab host C: see c_tc_shim in scripts/lab/lab.sh.
case " $* " in *" action csum "*) ;; *) exec /usr/sbin/tc.real "$@" ;; esac
err=$(/usr/sbin/tc.real "$@" 2>&1) && exit 0
case $err in
  *'Failed to load TC action module'*) printf '%s skipped (no act_csum in this kernel): tc %s\n' "$(date -u +%FT%TZ)" "$*" >>/var/log/vnlab-tc-csum.log; exit 0 ;;
esac
printf '%s\n' "$err" >&2
exit 1
EOF
  chmod 755 "$CFS/usr/sbin/tc"
}

# Runs inside C's netns in fresh private mount and UTS namespaces (see c_boot): the kernel file systems and the lab's
# directory (for the sshd config, keys and pid files at the same paths as outside) inside C's root, then its daemons.
c_init() {
  hostname vnlab-c
  mount --rbind /dev "$CFS/dev"
  mount -t proc proc "$CFS/proc"
  # sysfs mounted from inside C's netns shows C's network devices.
  mount -t sysfs sysfs "$CFS/sys"
  mount --rbind /sys/fs/cgroup "$CFS/sys/fs/cgroup"
  mkdir -p "$CFS$LAB" "$CFS/run/sshd" "$CFS/run/libvirt" "$CFS/tmp"
  mount --bind "$LAB" "$CFS$LAB"
  chmod 1777 "$CFS/tmp"
  chroot "$CFS" virtlogd -d -p "$C/virtlogd.pid"
  LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/libvirtd.log" pinned chroot "$CFS" libvirtd -d -p "$C/libvirtd.pid"
}

c_boot() {
  log "booting host C (netns $NS_C, Debian $C_SUITE)"
  spawn ip netns exec "$NS_C" unshare -m -u --propagation private bash "$SCRIPT" _c-init >>"$C/boot.log" 2>&1 ||
    die_with_log "$C/boot.log" "host C init failed"
  wait_for 100 c_pid || die_with_log "$CFS/var/log/libvirt/libvirtd.log" "host C libvirtd did not start"
}

c_ensure() {
  # The root file system may come from the machine's cache, built by another checkout: this checkout's own state
  # directory (boot log, pid files, sshd) is made here, not only when the tree is built.
  mkdir -p "$C"
  c_rootfs_ensure
  # A changed libvirt configuration is read when libvirtd starts: reboot C then.
  if c_seed && c_pid >/dev/null; then log "host C's configuration changed: rebooting it"; c_poweroff; fi
  c_pid >/dev/null || { c_poweroff; c_netns_ensure; c_boot; }
  c_netns_ensure
  live_pid "$C/virtlogd.pid" virtlogd >/dev/null || spawn c_run virtlogd -d -p "$C/virtlogd.pid"
  wait_for 600 c_reachable || die_with_log "$CFS/var/log/libvirt/libvirtd.log" "host C libvirtd not answering"
  mkdir -p "$C/sshd"
  sshd_ensure "$C/sshd" "$IP_C" "$PORT_C" c_run
  ensure_default_net c
  local g
  for g in "${GUESTS_C[@]}"; do is_running c "$g" && ! plugged c "$g" && vsh c destroy "$g" >/dev/null 2>&1; done
  for g in "${GUESTS_C[@]}"; do ensure_guest c "$g"; done
}

# Host C alone (the rest of the lab untouched): `lab.sh up-c`.
cmd_up_c() {
  local start=$SECONDS
  mkdir -p /run/sshd && chmod 755 /run/sshd
  [[ -s $LAB/authorized_keys ]] || install_dashboard_key
  c_ensure
  write_hosts_json
  verify_c
  log "host C is up in $((SECONDS - start)) s: lab-c root@$IP_C:$PORT_C guests ${GUESTS_C[*]} (netns $NS_C)"
}

# Host C lists its guest and none of A's or B's, over SSH, and runs libvirt 11 with the nftables backend.
verify_c() {
  local out=$LAB/verify/c guest
  mkdir -p "$LAB/verify"
  lab_ssh "$IP_C" "$PORT_C" 'virsh -q list --all --name && virsh version --daemon | sed -n "s/^Running against daemon: /libvirtd /p"' \
    >"$out" 2>&1 || { cat "$out" >&2; die_with_log "$C/sshd/sshd.log" "ssh to host C failed"; }
  for guest in "${GUESTS_C[@]}"; do grep -qx "$guest" "$out" || die "host C does not list its guest $guest: $(tr '\n' ' ' <"$out")"; done
  for guest in "${GUESTS_A[@]}" "${GUESTS_B[@]}"; do ! grep -qx "$guest" "$out" || die "host C lists $guest: the namespaces are not isolated"; done
  grep -q '^libvirtd 1[1-9]\.' "$out" || die "host C does not run libvirt 11: $(tr '\n' ' ' <"$out")"
}

# --- subcommands ------------------------------------------------------------------------------------

json_names() { local n quoted=(); for n; do quoted+=("\"$n\""); done; local IFS=,; printf '[%s]' "${quoted[*]}"; }

# $1 name, $2 address, $3 port, $4 guests (JSON), $5 sshd dir, $6 extra fields.
# hostKeyFile lets tests and bootstrap pin the key out of band (ssh-keygen -lf).
host_json() {
  printf '  {"name":"%s","address":"%s","port":%s,"username":"%s","guests":%s,"hostKeyFile":"%s"%s}' \
    "$1" "$2" "$3" "${7:-root}" "$4" "$5/ssh_host_ed25519_key.pub" "${6:-}"
}

# The lab's SSH targets as this checkout's lab defines them (hosts.json holds the same, as the last `up` wrote it).
hosts_json() {
  local a b
  a=$(json_names "${GUESTS_A[@]}") b=$(json_names "${GUESTS_B[@]}")
  cat <<EOF
[
$(host_json lab-a 127.0.0.1 "$PORT_A" "$a" "$LAB/a"),
$(host_json lab-b "$IP_B" "$PORT_B" "$b" "$B"),
$(host_json lab-c "$IP_C" "$PORT_C" "$(json_names "${GUESTS_C[@]}")" "$C/sshd"),
$(host_json lab-spare 127.0.0.1 "$PORT_SPARE" "$a" "$LAB/spare" ',"sameHostAs":"lab-a"'),
$(host_json lab-b-sudo "$IP_B" "$PORT_B_SUDO" "$b" "$LAB/b-sudo" ',"sameHostAs":"lab-b","useSudo":true' "$SUDO_USER_B")
]
EOF
}

write_hosts_json() {
  hosts_json | write_if_changed "$LAB/hosts.json" || true
  chmod 644 "$LAB/hosts.json"
}

lab_ssh() {
  local addr=$1 port=$2 user=root; shift 2
  [[ $addr == *@* ]] && { user=${addr%@*}; addr=${addr#*@}; }
  ssh -i "$KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
    -o ConnectTimeout=5 -o LogLevel=ERROR -p "$port" "$user@$addr" "$@"
}

# Log in to every host in parallel (each login costs ~0.3 s here) and prove B is isolated:
# its libvirt lists B's guest and none of A's.
verify() {
  local out=$LAB/verify pa pb ps pbs
  mkdir -p "$out"
  lab_ssh 127.0.0.1 "$PORT_A" virsh net-list --all >"$out/a" 2>&1 & pa=$!
  lab_ssh "$IP_B" "$PORT_B" 'virsh net-list --all >/dev/null && virsh list --all --name' >"$out/b" 2>&1 & pb=$!
  lab_ssh 127.0.0.1 "$PORT_SPARE" true >"$out/spare" 2>&1 & ps=$!
  # The sudo host: not root over SSH, root through sudo -n, and it is host B.
  lab_ssh "$SUDO_USER_B@$IP_B" "$PORT_B_SUDO" 'test "$(id -u)" != 0 && sudo -n virsh -q list --all --name' >"$out/b-sudo" 2>&1 & pbs=$!
  wait "$pa" || { cat "$out/a" >&2; die_with_log "$LAB/a/sshd.log" "ssh to host A failed"; }
  wait "$pb" || { cat "$out/b" >&2; die_with_log "$B/sshd.log" "ssh to host B failed"; }
  wait "$ps" || { cat "$out/spare" >&2; die_with_log "$LAB/spare/sshd.log" "ssh to spare failed"; }
  wait "$pbs" || { cat "$out/b-sudo" >&2; die_with_log "$LAB/b-sudo/sshd.log" "ssh to host B as $SUDO_USER_B with sudo failed"; }
  grep -qx "${GUESTS_B[0]}" "$out/b-sudo" || die "host B as $SUDO_USER_B does not list ${GUESTS_B[0]}: $(tr '\n' ' ' <"$out/b-sudo")"
  # Isolation proof: B sees its own guest and none of A's. Tests may have guests of their own on B meanwhile.
  local guest
  for guest in "${GUESTS_B[@]}"; do grep -qx "$guest" "$out/b" || die "host B does not list its guest $guest: $(tr '\n' ' ' <"$out/b")"; done
  for guest in "${GUESTS_A[@]}"; do ! grep -qx "$guest" "$out/b" || die "host B lists host A's guest $guest: the namespaces are not isolated"; done
}

wait_leases() {
  local start=$SECONDS pending g
  b_pid >/dev/null || die "host B is not running (try: npm run lab)"
  while :; do
    pending=()
    for g in "${GUESTS_A[@]}"; do has_lease a "$g" || pending+=("$g"); done
    for g in "${GUESTS_B[@]}"; do has_lease b "$g" || pending+=("$g"); done
    for g in "${GUESTS_C[@]}"; do has_lease c "$g" || pending+=("$g"); done
    ((${#pending[@]} == 0)) && { log "all guests have DHCP leases ($((SECONDS - start)) s)"; return 0; }
    ((SECONDS - start < LEASE_TIMEOUT)) || die "no DHCP lease after ${LEASE_TIMEOUT}s for: ${pending[*]}"
    sleep 1
  done
}

cmd_up() {
  local start=$SECONDS want_leases=0 g
  [[ ${1:-} == --wait-leases ]] && want_leases=1
  ensure_packages
  mkdir -p /run/sshd && chmod 755 /run/sshd
  install_dashboard_key

  a_libvirt_ensure
  a_probe_qemu
  sshd_ensure "$LAB/a" 127.0.0.1 "$PORT_A"
  sshd_ensure "$LAB/spare" 127.0.0.1 "$PORT_SPARE"
  b_ensure
  sshd_ensure "$B" "$IP_B" "$PORT_B" b_run
  b_sudo_user_ensure
  SSHD_KEYS_FILE=.ssh/authorized_keys SSHD_ROOT_LOGIN=no SSHD_EXTRA="AllowUsers $SUDO_USER_B" \
    sshd_ensure "$LAB/b-sudo" "$IP_B" "$PORT_B_SUDO" b_run

  c_ensure
  ensure_default_net a
  ensure_default_net b
  stop_unplugged
  for g in "${GUESTS_A[@]}"; do ensure_guest a "$g"; done
  for g in "${GUESTS_B[@]}"; do ensure_guest b "$g"; done

  write_hosts_json
  verify
  verify_c
  ((want_leases)) && wait_leases
  log "lab is up in $((SECONDS - start)) s:"
  log "  lab-a      root@127.0.0.1:$PORT_A  guests ${GUESTS_A[*]}"
  log "  lab-b      root@$IP_B:$PORT_B   guests ${GUESTS_B[*]}  (netns $NS)"
  log "  lab-c      root@$IP_C:$PORT_C   guests ${GUESTS_C[*]}  (netns $NS_C, Debian $C_SUITE, libvirt nftables backend)"
  log "  lab-spare  root@127.0.0.1:$PORT_SPARE  (host A, rotatable host key)"
  log "  lab-b-sudo $SUDO_USER_B@$IP_B:$PORT_B_SUDO (host B as a non-root user with sudo -n)"
  log "  hosts: $LAB/hosts.json  key: $KEY"
}

cmd_down() {
  # Host B is simply powered off; its guests' definitions stay, as on a real host.
  b_poweroff
  c_poweroff
  sshd_stop "$LAB/a"
  sshd_stop "$LAB/spare"
  sshd_stop "$LAB/b-sudo"
  # Undefining needs host A's daemon; it is meant to be running anyway, so bring it back if needed.
  if command -v libvirtd >/dev/null; then
    a_libvirt_ensure
    remove_guests a "${GUESTS_A[@]}"
  fi
  rm -f "$LAB/hosts.json"
  log "lab is down (host A libvirtd and its default network left running)"
}

cmd_status() {
  local bad=0 g
  check() {
    local what=$1; shift
    if "$@" >/dev/null 2>&1; then printf '  up    %s\n' "$what"; else printf '  DOWN  %s\n' "$what"; bad=1; fi
  }
  net_active() { vsh "$1" net-info default 2>/dev/null | grep '^Active: *yes' >/dev/null; }
  echo "host A (this machine)"
  check "libvirtd" a_reachable
  check "virtlogd" a_virtlogd_pid
  check "network default" net_active a
  for g in "${GUESTS_A[@]}"; do check "guest $g" is_running a "$g"; done
  check "sshd 127.0.0.1:$PORT_A (login)" lab_ssh 127.0.0.1 "$PORT_A" true
  check "spare sshd 127.0.0.1:$PORT_SPARE (login)" lab_ssh 127.0.0.1 "$PORT_SPARE" true
  echo "host B (netns $NS)"
  check "veth $VETH_A $IP_A" bash -c "ip -br addr show dev $VETH_A | grep $IP_A/30 >/dev/null"
  check "libvirtd" b_pid
  if b_pid >/dev/null; then
    check "virtlogd" live_pid "$B/virtlogd.pid" virtlogd
    check "network default" net_active b
    for g in "${GUESTS_B[@]}"; do check "guest $g" is_running b "$g"; done
  fi
  check "sshd $IP_B:$PORT_B (login)" lab_ssh "$IP_B" "$PORT_B" true
  check "sshd $IP_B:$PORT_B_SUDO (login as $SUDO_USER_B, sudo -n)" lab_ssh "$SUDO_USER_B@$IP_B" "$PORT_B_SUDO" sudo -n true
  echo "host C (netns $NS_C, Debian $C_SUITE)"
  check "libvirtd" c_pid
  if c_pid >/dev/null; then
    check "virtlogd" live_pid "$C/virtlogd.pid" virtlogd
    check "network default" net_active c
    for g in "${GUESTS_C[@]}"; do check "guest $g" is_running c "$g"; done
  fi
  check "sshd $IP_C:$PORT_C (login)" lab_ssh "$IP_C" "$PORT_C" true
  return "$bad"
}

cmd_rekey_spare() {
  local dir=$LAB/spare pid
  pid=$(live_pid "$dir/sshd.pid" "$dir/sshd_config") || die "spare sshd is not running (try: npm run lab)"
  rm -f "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub"
  ssh-keygen -q -t ed25519 -N '' -C vnlab-spare -f "$dir/ssh_host_ed25519_key"
  # SIGHUP makes sshd re-exec and load the new key; the port is briefly closed meanwhile.
  kill -HUP "$pid"
  local want got=''
  want=$(ssh-keygen -l -f "$dir/ssh_host_ed25519_key.pub" | awk '{print $2}')
  for _ in $(seq 50); do
    got=$(ssh-keyscan -T 1 -t ed25519 -p "$PORT_SPARE" 127.0.0.1 2>/dev/null | ssh-keygen -l -f - 2>/dev/null | awk '{print $2}') || true
    [[ $got == "$want" ]] && break
    sleep 0.1
  done
  [[ $got == "$want" ]] || die_with_log "$dir/sshd.log" "spare sshd does not serve the new host key"
  echo "$want"
}

# Every guest and network on host $1 (b or c) that the lab does not own.
clean_libvirt_leftovers() {
  local h=$1 name own
  own=$([[ $h == c ]] && echo " ${GUESTS_C[*]} " || echo " ${GUESTS_B[*]} ")
  while read -r name; do
    [[ -n $name && $own != *" $name "* ]] || continue
    vsh "$h" destroy "$name" >/dev/null 2>&1 || true
    vsh "$h" undefine "$name" >/dev/null 2>&1 && { log "removed guest $name from host ${h^^}"; removed=$((removed + 1)); }
  done < <(vsh "$h" list --all --name)
  while read -r name; do
    [[ -n $name && $name != default ]] || continue
    vsh "$h" net-destroy "$name" >/dev/null 2>&1 || true
    vsh "$h" net-undefine "$name" >/dev/null 2>&1 && { log "removed network $name from host ${h^^}"; removed=$((removed + 1)); }
  done < <(vsh "$h" net-list --all --name)
}

# After a crashed test run: hosts B and C are the lab's alone, so every guest and network on them that the lab does not
# own is a test leftover, and so are Virtnet's forward chains (B) or table and chain (C), hook and state there; in the
# root namespace, the forward fixture's namespaces (vnfg*/vnfc*/vnfh*). Host A is this machine: nothing of its own is touched.
cmd_clean_tests() {
  b_pid >/dev/null || die "host B is not running (try: npm run lab)"
  local name removed=0
  clean_libvirt_leftovers b
  b_run sh -c 'rm -f /etc/libvirt/hooks/qemu.d/virtnet-forwards /etc/libvirt/hooks/network.d/virtnet-forwards /var/lib/libvirt/virtnet/forwards.rules
    for t in nat filter; do iptables-save -t $t | grep -q VIRTNET || continue
      iptables-save -t $t | grep -v -e "-j VIRTNET" -e "^:VIRTNET" -e "^-A VIRTNET" | iptables-restore -w -T $t; done'
  # Host C (nftables): Virtnet's table, its chain in libvirt's table and the jump to it.
  if c_pid >/dev/null; then
    clean_libvirt_leftovers c
    c_run sh -c 'rm -f /etc/libvirt/hooks/qemu.d/virtnet-forwards /etc/libvirt/hooks/network.d/virtnet-forwards /var/lib/libvirt/virtnet/forwards.rules
      nft delete table ip virtnet 2>/dev/null
      nft -a list chain ip libvirt_network guest_input 2>/dev/null | awk "/jump virtnet_accept/ { print \$NF }" |
        while read -r h; do nft delete rule ip libvirt_network guest_input handle "$h"; done
      nft delete chain ip libvirt_network virtnet_accept 2>/dev/null; true'
  fi
  while read -r name; do
    [[ $name =~ ^vnf[gch][0-9]+$ ]] || continue
    ip netns pids "$name" 2>/dev/null | xargs -r kill || true
    ip netns del "$name" && { log "removed namespace $name"; removed=$((removed + 1)); }
  done < <(ip netns list | awk '{print $1}')
  log "clean-tests: $removed leftover(s) removed"
}

# What an operator does on each host to let a new dashboard key in (and to take an old one out): the lab hosts read
# root's keys from one file and vnsudo's from its home on host B.
key_files() { printf '%s\n' "$LAB/authorized_keys" "$B_SUDO/home/$SUDO_USER_B/.ssh/authorized_keys"; }
cmd_authorize_key() {
  local pub=${1:-} file
  [[ $pub == ssh-* ]] || die "usage: lab.sh authorize-key 'ssh-ed25519 AAAA… comment'"
  while read -r file; do
    grep -qxF -- "$pub" "$file" || printf '%s\n' "$pub" >>"$file"
  done < <(key_files)
}
cmd_unauthorize_key() {
  local pub=${1:-} file
  [[ $pub == ssh-* ]] || die "usage: lab.sh unauthorize-key 'ssh-ed25519 AAAA… comment'"
  while read -r file; do
    { grep -vxF -- "$pub" "$file" || true; } >"$file.tmp" && cat "$file.tmp" >"$file" && rm -f "$file.tmp"
  done < <(key_files)
}

cmd_exec_c() {
  [[ ${1:-} == -- ]] && shift
  (($#)) || die "usage: lab.sh exec-c -- CMD..."
  local pid
  pid=$(c_pid) || die "host C is not running (try: npm run lab)"
  exec nsenter -t "$pid" -m -n -u -r -w -- "$@"
}

cmd_exec_b() {
  [[ ${1:-} == -- ]] && shift
  (($#)) || die "usage: lab.sh exec-b -- CMD..."
  local pid
  pid=$(b_pid) || die "host B is not running (try: npm run lab)"
  exec nsenter -t "$pid" -m -n -u -- "$@"
}

main() {
  local cmd=${1:-up}
  (($#)) && shift
  [[ $EUID -eq 0 ]] || die "the lab manages namespaces and libvirt: run it as root"
  if [[ $cmd == _b-init ]]; then b_init; return; fi
  if [[ $cmd == _c-init ]]; then c_init; return; fi
  mkdir -p "$LAB" && chmod 700 "$LAB"
  # One lab operation at a time; status and exec-b only read.
  case $cmd in up | up-c | build-c | down | rekey-spare | wait-leases | clean-tests | authorize-key | unauthorize-key)
    exec 9>"$LAB/.lock"
    flock -w 300 9 || die "another lab command holds $LAB/.lock" ;;
  esac
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    wait-leases) wait_leases ;;
    rekey-spare) cmd_rekey_spare ;;
    up-c) cmd_up_c ;;
    build-c) c_rootfs_ensure ;;
    exec-b) cmd_exec_b "$@" ;;
    exec-c) cmd_exec_c "$@" ;;
    hosts) hosts_json ;;
    clean-tests) cmd_clean_tests ;;
    authorize-key) cmd_authorize_key "$@" ;;
    unauthorize-key) cmd_unauthorize_key "$@" ;;
    help | -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$SCRIPT" ;;
    *) die "unknown subcommand '$cmd' (up [--wait-leases] | up-c | build-c | down | status | wait-leases | rekey-spare | clean-tests | exec-b -- CMD... | exec-c -- CMD... | authorize-key PUBKEY | unauthorize-key PUBKEY | hosts)" ;;
  esac
}

main "$@"
