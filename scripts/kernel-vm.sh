#!/usr/bin/env bash
# kernel-vm.sh CMD [ARG...]
#
# Runs CMD as root inside a throwaway QEMU virtual machine booted with Debian's stock kernel
# (linux-image-amd64), which has what this host's kernel may lack: IPVS, the dummy link type.
# Tests tagged "ipvs-kernel" run through it (see the exec-maven-plugin execution in the poms).
#
# The guest sees the host's root file system read-only, under a tmpfs overlay whose writes are
# thrown away, and the current directory read-write at the same path, so build output written
# there (test reports) comes back. CMD's stdout and stderr stream back as it runs, and its exit
# code becomes this script's. Exit code 125: the VM could not run CMD (missing packages, boot
# failure, time-out), with a message saying why.
#
# Environment:
#   KERNEL_VM_TIMEOUT  seconds before the VM is killed (default 1200)
#   KERNEL_VM_MEMORY   MiB of guest memory (default 2048)
#   KERNEL_VM_CPUS     guest CPUs (default 2)
#   KERNEL_VM_KERNEL   kernel image (default: the newest /boot/vmlinuz-*)
#   KERNEL_VM_CACHE    where the generated initramfs is kept (default /var/tmp/switchyard-kernel-vm)
#   KERNEL_VM_ACCEL    kvm or tcg (default: kvm when /dev/kvm can run a stock kernel, else tcg)
#   KERNEL_VM_JAVA_OPTS  added to JAVA_TOOL_OPTIONS in the guest (default under tcg:
#                      -XX:TieredStopAtLevel=1, which starts Java markedly faster when emulated)
#   KERNEL_VM_CONSOLE=1  copy the guest's kernel console to stderr (for boot problems)
set -euo pipefail

PACKAGES="qemu-system-x86 linux-image-amd64 busybox-static kmod"
fail() { echo "kernel-vm: $*" >&2; exit 125; }
need() { fail "$1 (install with: apt-get install -y $PACKAGES)"; }

[ $# -gt 0 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || fail "must run as root (the guest shares the host's files as root)"

# --- prerequisites --------------------------------------------------------------------------
command -v qemu-system-x86_64 >/dev/null || need "qemu-system-x86_64 is not installed"
command -v modprobe >/dev/null || need "modprobe is not installed"
kernel=${KERNEL_VM_KERNEL:-$(ls -1v /boot/vmlinuz-* 2>/dev/null | tail -n 1)}
[ -n "$kernel" ] && [ -r "$kernel" ] || need "no kernel image in /boot"
kver=${kernel##*/vmlinuz-}
[ -d "/lib/modules/$kver/kernel/net/netfilter/ipvs" ] || need "kernel $kver has no IPVS modules in /lib/modules/$kver"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || need "busybox is not installed"
if ldd "$busybox" >/dev/null 2>&1; then need "$busybox is dynamically linked; the initramfs needs busybox-static"; fi
bios=()
[ -r /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)   # boots faster than SeaBIOS

# --- the initramfs: busybox, the modules for virtio and 9p, and an init that mounts the host --
cache=${KERNEL_VM_CACHE:-/var/tmp/switchyard-kernel-vm}
self_sum=$(sha256sum "$0" | cut -c1-12)
initrd=$cache/initramfs-$kver-$self_sum.cpio.gz
if [ ! -s "$initrd" ]; then
  mkdir -p "$cache"
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,dev,proc,sys,host,upper,guest,modules}
  cp "$busybox" "$root/bin/busybox"
  for module in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe --set-version "$kver" --show-depends "$module"
  done | awk '$1 == "insmod" { print $2 }' | while read -r path; do
    name=$(basename "$path"); name=${name%%.ko*}.ko
    [ -e "$root/modules/$name" ] && continue
    case $path in
      *.xz) xz -dc "$path" ;; *.zst) zstd -qdc "$path" ;; *.gz) gzip -dc "$path" ;; *) cat "$path" ;;
    esac > "$root/modules/$name"
    echo "$name" >> "$root/modules/load-order"
  done
  cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/modules/$m"; done < /modules/load-order
p9=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "ro,$p9,cache=loose" host /host || { echo "kernel-vm: cannot mount the host"; poweroff -f; }
mount -t tmpfs -o mode=755 upper /upper; mkdir /upper/data /upper/work
g=/guest
mount -t overlay -o lowerdir=/host,upperdir=/upper/data,workdir=/upper/work overlay $g || mount --bind /host $g
mount -t proc proc $g/proc; mount -t sysfs sysfs $g/sys; mount -t devtmpfs devtmpfs $g/dev
mkdir -p $g/dev/pts $g/dev/shm; mount -t devpts devpts $g/dev/pts; mount -t tmpfs shm $g/dev/shm
mount -t tmpfs -o mode=1777 tmp $g/tmp; mount -t tmpfs -o mode=755 run $g/run
mkdir -p $g/run/kernel-vm; mount -t 9p -o "$p9" control $g/run/kernel-vm
while read -r tag dir; do mkdir -p "$g$dir"; mount -t 9p -o "$p9,cache=mmap" "$tag" "$g$dir"; done \
  < $g/run/kernel-vm/shares
exec switch_root $g /bin/sh /run/kernel-vm/guest.sh
INIT
  chmod +x "$root/init"
  (cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$root"
fi

# --- this run: a control directory shared with the guest --------------------------------------
control=$(mktemp -d "${TMPDIR:-/tmp}/kernel-vm.XXXXXX")
qemu_pid=
cleanup() {
  set +e
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
  jobs -p | xargs -r kill 2>/dev/null
  wait 2>/dev/null
  rm -rf "$control"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

shares=(-fsdev "local,id=host,path=/,security_model=none,readonly=on,multidevs=remap"
        -device "virtio-9p-pci,fsdev=host,mount_tag=host"
        -fsdev "local,id=control,path=$control,security_model=none,multidevs=remap"
        -device "virtio-9p-pci,fsdev=control,mount_tag=control")
: > "$control/shares"
if [ "$PWD" != / ]; then
  shares+=(-fsdev "local,id=work,path=$PWD,security_model=none,multidevs=remap"
           -device "virtio-9p-pci,fsdev=work,mount_tag=work")
  echo "work $PWD" > "$control/shares"
fi

accel=${KERNEL_VM_ACCEL:-}
if [ -z "$accel" ]; then
  # A nested "PVM" KVM (module kvm_pvm) cannot boot a stock kernel: emulate instead.
  if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; else accel=tcg; fi
fi
java_opts=${KERNEL_VM_JAVA_OPTS-$([ "$accel" = tcg ] && echo -XX:TieredStopAtLevel=1)}

# The command, with this shell's environment and working directory.
{
  export -p | grep -vE '^declare -x (PWD|OLDPWD|SHLVL|_|TERM|DISPLAY|SSH_[A-Z_]*)='
  [ -n "$java_opts" ] && printf 'export JAVA_TOOL_OPTIONS=%q\n' "${JAVA_TOOL_OPTIONS:+$JAVA_TOOL_OPTIONS }$java_opts"
  printf 'cd %q || exit 126\n' "$PWD"
  printf '%q ' exec "$@"; echo
} > "$control/command.sh"

cat > "$control/guest.sh" <<'GUEST'
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
c=/run/kernel-vm
for m in virtio_rng ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_sh nf_conntrack dummy veth nf_tables \
  nft_compat nft_chain_nat xt_conntrack xt_nat; do modprobe $m 2>/dev/null; done
ip link set lo up
hostname kernel-vm
cut -d' ' -f1 /proc/uptime > $c/started
/bin/bash $c/command.sh </dev/null >>$c/stdout 2>>$c/stderr
rc=$?
cut -d' ' -f1 /proc/uptime > $c/ended
echo $rc > $c/exit-code
sync
echo o > /proc/sysrq-trigger
GUEST
: > "$control/stdout"; : > "$control/stderr"; : > "$control/console"

cpu=(-accel "tcg,thread=multi" -cpu max)
[ "$accel" = kvm ] && cpu=(-accel kvm -accel "tcg,thread=multi" -cpu max)
[ "${KERNEL_VM_CONSOLE:-0}" = 1 ] && { tail -n +1 -f "$control/console" >&2 & }
timeout "${KERNEL_VM_TIMEOUT:-1200}" qemu-system-x86_64 "${cpu[@]}" -M pc "${bios[@]}" \
  -smp "${KERNEL_VM_CPUS:-2}" -m "${KERNEL_VM_MEMORY:-2048}" \
  -nodefaults -no-user-config -display none -no-reboot \
  -kernel "$kernel" -initrd "$initrd" -serial "file:$control/console" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 mitigations=off random.trust_cpu=on no_timer_check" \
  -device virtio-rng-pci "${shares[@]}" </dev/null >"$control/qemu.log" 2>&1 &
qemu_pid=$!
tail -s 0.2 -n +1 -f --pid=$qemu_pid "$control/stdout" &
tail -s 0.2 -n +1 -f --pid=$qemu_pid "$control/stderr" >&2 &
qemu_rc=0; wait $qemu_pid || qemu_rc=$?
qemu_pid=
wait
if [ ! -s "$control/exit-code" ]; then
  [ "$qemu_rc" = 124 ] && echo "kernel-vm: timed out after ${KERNEL_VM_TIMEOUT:-1200}s" >&2
  echo "kernel-vm: the VM ended before the command did (qemu exit $qemu_rc); qemu log and console tail:" >&2
  cat "$control/qemu.log" >&2
  tail -n 30 "$control/console" >&2
  exit 125
fi
if [ -s "$control/started" ] && [ -s "$control/ended" ]; then
  awk -v s="$(cat "$control/started")" -v e="$(cat "$control/ended")" -v a="$accel" \
    'BEGIN { printf "kernel-vm: guest booted in %.1f s, the command took %.1f s (%s)\n", s, e - s, a }' >&2
fi
exit "$(cat "$control/exit-code")"
