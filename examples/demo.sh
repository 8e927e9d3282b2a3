#!/usr/bin/env bash
# Switchyard demo (needs root): builds a tiny "cluster" out of network namespaces — a client, the
# node running `switchyard run --from examples/`, and three backend pods serving HTTP — sends 300
# connections to the example ClusterIP and to the NodePort, prints which backend answered each,
# and removes everything it created (also on Ctrl-C or failure). Touches nothing outside the
# namespaces it creates.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then
    echo "demo.sh needs root (it creates network namespaces); run: sudo $0" >&2
  else
    echo "demo.sh needs root (it creates network namespaces); run it as root, e.g.: su -c $0" >&2
  fi
  exit 1
fi

# The tools the demo and the agent run: install the missing ones with apt-get (as .ci/run does),
# or say exactly which to install.
declare -A package_of=([ip]=iproute2 [iptables]=iptables [ip6tables]=iptables [nfacct]=nfacct [conntrack]=conntrack
                       [ipset]=ipset [curl]=curl [python3]=python3)
missing=()
for tool in ip iptables ip6tables nfacct conntrack ipset curl python3; do
  command -v "$tool" >/dev/null || [[ " ${missing[*]} " == *" ${package_of[$tool]} "* ]] || missing+=("${package_of[$tool]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    echo "==> installing what the demo needs: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || { echo "demo.sh: installing ${missing[*]} failed; install them and run it again" >&2; exit 1; }
  else
    echo "demo.sh needs these packages (Debian names): ${missing[*]}; install them and run it again" >&2
    exit 1
  fi
fi

P=sy-demo-$$
NODE=$P-node CLIENT=$P-client
BACKENDS=(be-11 be-12 be-13)            # pod IPs 10.244.1.11, 10.244.1.12 (node-a, zone-a), 10.244.2.13 (node-b, zone-b)
POD_IPS=(10.244.1.11 10.244.1.12 10.244.2.13)
CLUSTER_IP=10.96.100.10 NODE_IP=10.0.0.10 NODE_PORT=30080
N=${N:-300}
work=$(mktemp -d)
pids=()

cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  for ns in "$NODE" "$CLIENT" "${BACKENDS[@]/#/$P-}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> building namespaces ($P-*)"
ip netns add "$NODE"; ip netns add "$CLIENT"
ip -n "$NODE" link set lo up; ip -n "$CLIENT" link set lo up
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1

# client <-> node
ip link add "$P-c" netns "$CLIENT" type veth peer name eth-client netns "$NODE"
ip -n "$CLIENT" addr add 10.0.0.2/24 dev "$P-c"; ip -n "$CLIENT" link set "$P-c" up
ip -n "$CLIENT" route add default via "$NODE_IP"
ip -n "$NODE" addr add "$NODE_IP/24" dev eth-client; ip -n "$NODE" link set eth-client up

# node <-> each backend pod
for i in "${!BACKENDS[@]}"; do
  be=$P-${BACKENDS[$i]} ip_=${POD_IPS[$i]}
  ip netns add "$be"; ip -n "$be" link set lo up
  ip link add eth0 netns "$be" type veth peer name "veth$i" netns "$NODE"
  ip -n "$be" addr add "$ip_/32" dev eth0; ip -n "$be" link set eth0 up
  ip -n "$be" route add 169.254.1.1 dev eth0; ip -n "$be" route add default via 169.254.1.1
  ip -n "$NODE" addr add 169.254.1.1/32 dev "veth$i"; ip -n "$NODE" link set "veth$i" up
  ip -n "$NODE" route add "$ip_/32" dev "veth$i"
  mkdir -p "$work/${BACKENDS[$i]}"; echo "${BACKENDS[$i]}" > "$work/${BACKENDS[$i]}/index.html"
  ip netns exec "$be" python3 -m http.server 8080 --bind "$ip_" --directory "$work/${BACKENDS[$i]}" >/dev/null 2>&1 &
  pids+=($!)
done

if [ ! -f "$here/agent/target/switchyard.jar" ]; then
  echo "==> building Switchyard (first run only, a few minutes)"
fi
if ! version=$("$here/switchyard" --version 2>"$work/build.log"); then   # builds the jar on first use
  echo "demo.sh: building or starting Switchyard failed:" >&2
  cat "$work/build.log" >&2
  exit 1
fi
echo "==> starting $version: switchyard run --from examples/ in the node namespace"
ip netns exec "$NODE" "$here/switchyard" run --from "$here/examples" --hostname-override node-a \
  --cluster-cidr 10.244.0.0/16 >"$work/switchyard.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  ip netns exec "$NODE" iptables -t nat -S KUBE-SERVICES 2>/dev/null | grep -q "$CLUSTER_IP" && break
  sleep 0.2
done
ip netns exec "$NODE" iptables -t nat -S KUBE-SERVICES 2>/dev/null | grep -q "$CLUSTER_IP" \
  || { echo "switchyard did not program the rules; its log:" >&2; cat "$work/switchyard.log" >&2; exit 1; }
grep SyncProxyRules "$work/switchyard.log" | head -2 | sed 's/^/    /'
for ip_ in "${POD_IPS[@]}"; do   # wait until every backend listens
  for _ in $(seq 50); do
    ip netns exec "$NODE" curl -s --max-time 1 "http://$ip_:8080/" >/dev/null && break
    sleep 0.1
  done
done

hit() {  # hit URL: N requests, one new connection each, tally who answered
  local url=$1 failures=0
  declare -A count=()
  for _ in $(seq "$N"); do
    if who=$(ip netns exec "$CLIENT" curl -s --max-time 2 "$url"); then count[$who]=$(( ${count[$who]:-0} + 1 ));
    else failures=$((failures + 1)); fi
  done
  for be in "${BACKENDS[@]}"; do printf '    %-6s %4d\n' "$be" "${count[$be]:-0}"; done
  printf '    %-6s %4d\n' failed "$failures"
}

echo "==> $N connections to the ClusterIP http://$CLUSTER_IP/ (demo/web)"
hit "http://$CLUSTER_IP/"
echo "==> $N connections to the NodePort http://$NODE_IP:$NODE_PORT/"
hit "http://$NODE_IP:$NODE_PORT/"
echo "be-13 runs in zone-b: the EndpointSlice's zone hints keep node-a's (zone-a) traffic on be-11 and be-12."
