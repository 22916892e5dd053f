#!/usr/bin/env bash
# Production install of Virtnet from this checkout, for a dashboard that manages real hosts (docs/operating.md).
# It installs nothing of the lab: no libvirt, QEMU, lab sshd or namespaces on the dashboard machine.
#
#   sudo bash scripts/install-production.sh [--root DIR] [--user NAME] [--keep-build]
#
# What it does (running it again gives the same result; data and the environment file are never overwritten):
#   1. copies the source and this checkout's node_modules (`npm ci` in the checkout first) to a staging folder,
#      builds there (`next build`) and prunes the development packages (`npm prune --omit=dev`, offline: nothing is
#      downloaded; better-sqlite3's native module is the one built for this checkout, so install on the same OS and
#      Node); --keep-build reuses the installed app's build instead (only when the source has not changed since);
#   2. creates the system user (default virtnet: no login shell, no home of its own);
#   3. puts the staged app in /opt/virtnet, owned by root and read-only for the service;
#   4. creates /var/lib/virtnet (data) and /var/lib/virtnet-audit (the audit seal key, created here), mode 0700, owned
#      by the user;
#   5. writes /etc/virtnet/virtnet.env (mode 0600) from deploy/virtnet.env.example if it is absent;
#   6. installs deploy/systemd/virtnet.service and /usr/local/sbin/virtnet-admin (backup, restore, migrate, ...);
#      with systemd running, reloads it and restarts the service if it was running (migrations run at its start).
#
# --root DIR puts every one of those paths under DIR (the tests install into a temporary folder this way); it never
# touches systemd then. The user is a real system user either way.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
root=''
user=virtnet
keep_build=0

while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="$(realpath -m "$2")"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --keep-build) keep_build=1; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "install-production: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

app_dir="$root/opt/virtnet"
data_dir="$root/var/lib/virtnet"
audit_dir="$root/var/lib/virtnet-audit"
config_dir="$root/etc/virtnet"
env_file="$config_dir/virtnet.env"
unit_file="$root/etc/systemd/system/virtnet.service"
admin_tool="$root/usr/local/sbin/virtnet-admin"

say() { printf '== %s\n' "$*"; }
fail() { printf 'install-production: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail 'run it as root: it creates a system user and folders owned by it'
node_bin="$(command -v node)" || fail 'Node.js is not installed (Debian: apt-get install nodejs npm; Node >= 20.19)'
node_bin="$(realpath "$node_bin")"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  fail "Node.js $(node --version) is too old; Virtnet needs 20.19 or newer"
[ -d "$src/node_modules/next" ] || fail "$src has no node_modules: run npm ci in the checkout first (the build needs it)"
[ $keep_build = 0 ] || [ -f "$app_dir/.next/BUILD_ID" ] || fail "--keep-build: $app_dir has no build to keep"
[ -z "$root" ] || [ "$root" != / ] || fail '--root / is the default; leave it out'

systemd_running=0
if [ -z "$root" ] && [ -d /run/systemd/system ]; then systemd_running=1; fi

say "User $user"
if ! getent passwd "$user" >/dev/null; then
  useradd --system --user-group --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin \
    --comment 'Virtnet dashboard' "$user"
fi

say "App staged in $app_dir.new"
staging="$app_dir.new"
rm -rf "$staging"
mkdir -p "$staging"
# The source, without the checkout's data, builds, reports or git metadata.
tar -C "$src" --exclude=./node_modules --exclude=./data --exclude=./.git --exclude=./.next --exclude='./.next-*' \
  --exclude=./test-results --exclude=./playwright-report --exclude=./blob-report -cf - . | tar -C "$staging" -xf -
# A real copy (the checkout's may be a symlink, which Turbopack will not build through).
cp -a "$src/node_modules/." "$staging/node_modules/"
if [ $keep_build = 1 ]; then
  cp -a "$app_dir/.next" "$staging/.next"
else
  say 'Building (next build)'
  (cd "$staging" && bash scripts/db/generate.sh >/dev/null && NEXT_TELEMETRY_DISABLED=1 npx next build)
fi
rm -rf "$staging/.next/cache"
(cd "$staging" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null)
# Owned by root and read-only to the service: it cannot change its own code.
chown -R root:root "$staging"
chmod -R u+rwX,go+rX,go-w "$staging"
if [ -d "$app_dir" ] && [ $systemd_running = 1 ] && systemctl is-active --quiet virtnet; then
  was_running=1
  systemctl stop virtnet
else
  was_running=0
fi
rm -rf "$app_dir.old"
if [ -d "$app_dir" ]; then mv "$app_dir" "$app_dir.old"; fi
mv "$staging" "$app_dir"
rm -rf "$app_dir.old"

say "Data in $data_dir, audit seal key in $audit_dir"
install -d -m 0700 -o "$user" -g "$user" "$data_dir" "$data_dir/ssh" "$audit_dir"
if [ ! -f "$audit_dir/seal.key" ]; then
  # Created here rather than on first use so it can be put in its own safe place before anything is sealed.
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$audit_dir/seal.key" && echo >>"$audit_dir/seal.key")
fi
chown "$user:$user" "$audit_dir/seal.key"
chmod 0600 "$audit_dir/seal.key"

# The shipped files name the default paths; with --root (or another user) they are rewritten to the chosen ones.
substitute() {
  sed -e "s#/opt/virtnet#$app_dir#g" -e "s#/var/lib/virtnet#$root/var/lib/virtnet#g" \
    -e "s#/etc/virtnet#$config_dir#g" -e "s#/usr/bin/node#$node_bin#g" \
    -e "s#^User=virtnet\$#User=$user#" -e "s#^Group=virtnet\$#Group=$user#" -e "s#^user=virtnet\$#user=$user#" "$1"
}

say "Configuration in $env_file"
install -d -m 0700 -o root -g root "$config_dir"
if [ -f "$env_file" ]; then
  echo "kept (an existing environment file is never overwritten)"
else
  substitute "$src/deploy/virtnet.env.example" | install -m 0600 -o root -g root /dev/stdin "$env_file"
  echo "written from deploy/virtnet.env.example: review it"
fi

say "Service unit $unit_file and $admin_tool"
install -d -m 0755 "$(dirname "$unit_file")" "$(dirname "$admin_tool")"
substitute "$src/deploy/systemd/virtnet.service" | install -m 0644 /dev/stdin "$unit_file"
substitute "$src/deploy/virtnet-admin" | install -m 0755 /dev/stdin "$admin_tool"

if [ $systemd_running = 1 ]; then
  systemctl daemon-reload
  if [ $was_running = 1 ]; then systemctl start virtnet; fi
fi
say 'Installed'
if [ -z "$root" ]; then
  echo "Next: review $env_file, then: systemctl enable --now virtnet; journalctl -u virtnet (first admin's password)"
fi
