#!/usr/bin/env bash
# Regenerates the rtnetlink and ctnetlink captures on this host, inside a throwaway network
# namespace (nothing outside it is touched). Run as root from this directory:
#   ./capture-host.sh
# Needs strace, iproute2, iptables and conntrack (conntrack-tools).
set -euo pipefail
cd "$(dirname "$0")"
cap=$(readlink -f ../../../../../scripts/netlink-capture.sh)
ns=sy-capture-$$
ip netns add "$ns"; trap 'ip netns del "$ns"' EXIT
note="kernel $(uname -r), $(ip -V), $(conntrack --version 2>&1 | head -1)"
in_ns() { ip netns exec "$ns" "$@"; }
capture() { local out=$1; shift; in_ns "$cap" "$out" "$note" -- "$@" || true; }

mkdir -p rtnl conntrack
in_ns ip link set lo up
capture rtnl/link-add-veth.hex ip link add sy0 type veth peer name sy1
capture rtnl/link-get.hex ip -d link show dev sy0
capture rtnl/link-set-up.hex ip link set dev sy0 up
capture rtnl/link-set-down.hex ip link set dev sy0 down
capture rtnl/addr-add-v4.hex ip addr add 198.51.100.7/32 dev sy0
capture rtnl/addr-add-v4-exists.hex ip addr add 198.51.100.7/32 dev sy0
capture rtnl/addr-add-v6.hex ip -6 addr add 2001:db8::7/128 dev sy0 nodad
capture rtnl/addr-list.hex ip -o addr show dev sy0
capture rtnl/addr-del-v4.hex ip addr del 198.51.100.7/32 dev sy0
capture rtnl/addr-del-v6.hex ip -6 addr del 2001:db8::7/128 dev sy0
capture rtnl/link-del.hex ip link del dev sy0
capture rtnl/link-get-missing.hex ip link show dev sy0

# Conntrack: local UDP flows, one of them through a DNAT rule so its reply source differs.
in_ns ip link add sy0 type veth peer name sy1
in_ns ip link set sy0 up; in_ns ip link set sy1 up
in_ns ip addr add 198.51.100.1/32 dev lo; in_ns ip addr add 198.51.100.2/32 dev lo
in_ns ip -6 addr add 2001:db8::1/128 dev lo nodad; in_ns ip -6 addr add 2001:db8::2/128 dev lo nodad
in_ns ip route add 203.0.113.0/24 dev sy0
in_ns iptables -A OUTPUT -m conntrack --ctstate NEW -j ACCEPT
in_ns ip6tables -A OUTPUT -m conntrack --ctstate NEW -j ACCEPT
in_ns iptables -t nat -A OUTPUT -d 203.0.113.10 -p udp --dport 53 -j DNAT --to-destination 198.51.100.2:5353
send() { in_ns bash -c "exec 3<>/dev/udp/$1/$2; printf x >&3; exec 3>&-"; }
send 198.51.100.2 5353; send 198.51.100.1 7000; send 203.0.113.10 53; send 2001:db8::2 5353
capture conntrack/list-udp-v4.hex conntrack -L -f ipv4 -p udp
capture conntrack/list-udp-v6.hex conntrack -L -f ipv6 -p udp
capture conntrack/delete-orig-dst-v4.hex conntrack -D -f ipv4 -p udp --orig-dst 198.51.100.1
capture conntrack/delete-reply-src-v4.hex conntrack -D -f ipv4 -p udp --reply-src 198.51.100.2 --orig-dst 203.0.113.10
capture conntrack/delete-orig-dst-v6.hex conntrack -D -f ipv6 -p udp --orig-dst 2001:db8::2
