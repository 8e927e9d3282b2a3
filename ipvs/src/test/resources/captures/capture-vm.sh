#!/usr/bin/env bash
# Regenerates the IPVS (generic netlink) and dummy-link captures. IPVS and the dummy link type
# exist only in the VM's kernel, so run it there, from the repository root:
#   scripts/kernel-vm.sh ipvs/src/test/resources/captures/capture-vm.sh
# Needs strace, ipvsadm and iproute2 (the VM sees the host's files).
set -euo pipefail
cd "$(dirname "$0")"
cap=$(readlink -f ../../../../../scripts/netlink-capture.sh)
ns=sy-capture-$$
ip netns add "$ns"; trap 'ip netns del "$ns"' EXIT
note="kernel $(uname -r), $(ipvsadm --version 2>&1 | head -1), $(ip -V)"
in_ns() { ip netns exec "$ns" "$@"; }
capture() { local out=$1; shift; in_ns "$cap" "$out" "$note" -- "$@" || true; }

mkdir -p ipvs rtnl
in_ns ip link set lo up   # without it the namespace has no local routing table and IPVS rejects IPv4 destinations (EINVAL)
capture ipvs/info.hex ipvsadm -Ln
capture ipvs/add-service-tcp-v4.hex ipvsadm -A -t 198.51.100.10:80 -s rr
capture ipvs/add-service-exists.hex ipvsadm -A -t 198.51.100.10:80 -s rr
capture ipvs/edit-service-persistent.hex ipvsadm -E -t 198.51.100.10:80 -s wrr -p 10800
capture ipvs/add-service-udp-v6.hex ipvsadm -A -u [2001:db8::10]:53 -s rr
capture ipvs/add-dest-v4.hex ipvsadm -a -t 198.51.100.10:80 -r 203.0.113.1:8080 -m -w 1
capture ipvs/edit-dest-v4.hex ipvsadm -e -t 198.51.100.10:80 -r 203.0.113.1:8080 -m -w 0 -x 100 -y 10
capture ipvs/add-dest-v6.hex ipvsadm -a -u [2001:db8::10]:53 -r [2001:db8::1:1]:5353 -m -w 2
capture ipvs/list.hex ipvsadm -Ln
capture ipvs/del-dest-v4.hex ipvsadm -d -t 198.51.100.10:80 -r 203.0.113.1:8080
capture ipvs/del-dest-missing.hex ipvsadm -d -t 198.51.100.10:80 -r 203.0.113.1:8080
capture ipvs/del-service-v4.hex ipvsadm -D -t 198.51.100.10:80
capture ipvs/del-service-missing.hex ipvsadm -D -t 198.51.100.10:80
capture ipvs/set-timeouts.hex ipvsadm --set 900 120 300
capture ipvs/get-timeouts.hex ipvsadm -L --timeout
capture ipvs/flush.hex ipvsadm -C
capture rtnl/link-add-dummy.hex ip link add kube-ipvs0 type dummy
capture rtnl/link-get-dummy.hex ip -d link show dev kube-ipvs0
