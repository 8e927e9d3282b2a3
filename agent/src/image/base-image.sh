#!/usr/bin/env bash
# Builds the base image Jib puts Switchyard on, as a `docker save` tarball, without a container
# engine: a minimal root filesystem from Debian packages (the tools the agent runs: iptables,
# ip6tables, iptables-save/-restore, ipset, conntrack, nfacct, ip; and the C libraries they and
# the JVM need), plus a Java runtime jlinked down to the modules the agent uses (found by jdeps).
#
#   base-image.sh OUT_DIR AGENT_JAR        (run by `./mvnw -Pimage package`)
#
# Needs apt-get (Debian or Ubuntu with the package lists of the release the image should be
# built from; `apt-get update` first on a fresh machine), dpkg-deb, and a JDK >= 25 (JAVA_HOME).
# Writes OUT_DIR/image/base.tar. As root it also runs the tools and java inside the tree
# (chroot) to prove they start.
set -euo pipefail
out=${1:?usage: base-image.sh OUT_DIR AGENT_JAR}
jar=${2:?usage: base-image.sh OUT_DIR AGENT_JAR}
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$out/image
rootfs=$work/rootfs
jre=$work/jre-tree
rm -rf "$work"
mkdir -p "$work/debs" "$rootfs" "$jre/opt"

for tool in apt-get apt-cache dpkg-deb sha256sum tar; do
  command -v "$tool" >/dev/null || { echo "base-image.sh: needs $tool (build the image on Debian or Ubuntu)" >&2; exit 1; }
done
[ -x "$java_home/bin/jlink" ] || { echo "base-image.sh: needs a JDK >= 25 with jlink (set JAVA_HOME)" >&2; exit 1; }
[ -f "$jar" ] || { echo "base-image.sh: $jar is missing (run the package phase first)" >&2; exit 1; }

# 1. Debian packages: the tools and their library closure. Package-management and installer
#    packages that some of them depend on are left out: nothing in the image installs anything.
tools=(iptables ipset conntrack nfacct iproute2 libc6 zlib1g netbase)
skip=' cdebconf debconf dpkg install-info libdebian-installer4 libnewt0.52 libslang2 libtextwrap1 tar '
if ! apt-cache show iptables >/dev/null 2>&1; then
  echo "base-image.sh: apt has no package lists; run apt-get update first" >&2; exit 1
fi
mapfile -t closure < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances "${tools[@]}" | grep -E '^[a-z0-9]' | sort -u)
packages=()
for p in "${closure[@]}"; do [[ $skip == *" $p "* ]] || packages+=("$p"); done
echo "base-image.sh: ${#packages[@]} Debian packages: ${packages[*]}"
chmod 777 "$work/debs"   # apt downloads as its unprivileged _apt user when it can
(cd "$work/debs" && apt-get download -qq "${packages[@]}")
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done

# The iptables package picks its backend through update-alternatives at install time; pick the
# nf_tables backend here, as Debian does by default.
for name in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf "xtables-nft-multi" "$rootfs/usr/sbin/$name"
done
printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' > "$rootfs/etc/ld.so.conf"
ldconfig -r "$rootfs" 2>/dev/null || true
mkdir -p "$rootfs/tmp" "$rootfs/run" "$rootfs/var/run" "$rootfs/etc" "$rootfs/app"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
rm -rf "$rootfs"/usr/share/{doc,man,info,locale,lintian,bug,bash-completion} "$rootfs"/etc/{init.d,default,cron.daily}

# 2. The Java runtime: only the modules the agent's jar needs, plus the DNS and elliptic-curve
#    providers that are looked up at run time (TLS to the API server, name resolution).
modules=$("$java_home/bin/jdeps" --ignore-missing-deps --multi-release 25 --print-module-deps "$jar")
modules="$modules,jdk.crypto.ec,jdk.naming.dns"
echo "base-image.sh: jlink modules: $modules"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress zip-6 --output "$jre/opt/java"

# 3. Prove it runs (root only: chroot).
if [ "$(id -u)" = 0 ]; then
  check=$work/check
  rm -rf "$check" && mkdir -p "$check" && cp -a "$rootfs/." "$check/" && cp -a "$jre/opt" "$check/"
  for cmd in "/usr/sbin/iptables --version" "/usr/sbin/ip6tables-restore --version" "/usr/sbin/iptables-save --version" \
             "/usr/sbin/ipset --version" "/usr/sbin/conntrack --version" "/usr/sbin/nfacct version" "/bin/ip -V" \
             "/opt/java/bin/java -version"; do
    # Without /proc in the chroot, java cannot find its own lib/ ($ORIGIN); a container has /proc.
    LD_LIBRARY_PATH=/opt/java/lib chroot "$check" $cmd >/dev/null 2>&1 \
      || { echo "base-image.sh: '$cmd' does not run in the image:" >&2; LD_LIBRARY_PATH=/opt/java/lib chroot "$check" $cmd; exit 1; }
  done
  rm -rf "$check"
  echo "base-image.sh: iptables, ip6tables-restore, iptables-save, ipset, conntrack, nfacct, ip and java run in the image"
fi

# 4. Two layers (root filesystem, Java runtime) in `docker save` format: Jib reads it as tar://.
layer() {  # layer DIR TAR: a reproducible tar of DIR's contents
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf "$2" .
}
layer "$rootfs" "$work/rootfs.tar"
layer "$jre" "$work/jre.tar"
rootfs_id=sha256:$(sha256sum "$work/rootfs.tar" | cut -d' ' -f1)
jre_id=sha256:$(sha256sum "$work/jre.tar" | cut -d' ' -f1)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java"]},
 "rootfs":{"type":"layers","diff_ids":["$rootfs_id","$jre_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"base-image.sh: Debian packages ${packages[*]}"},
            {"created":"1970-01-01T00:00:00Z","created_by":"base-image.sh: jlink --add-modules $modules"}]}
JSON
cat > "$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["switchyard-base:local"],"Layers":["rootfs.tar","jre.tar"]}]
JSON
tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$work/base.tar" manifest.json config.json rootfs.tar jre.tar
rm -f "$work/rootfs.tar" "$work/jre.tar"
echo "base-image.sh: wrote $work/base.tar ($(du -h "$work/base.tar" | cut -f1))"
