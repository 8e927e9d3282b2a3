#!/usr/bin/env bash
# netlink-capture.sh OUT.hex NOTE -- CMD [ARG...]
#
# Runs CMD under strace and writes every netlink datagram it sent or received to OUT.hex, one
# line each: '>' for sent, '<' for received, then the bytes in hex. NOTE (one line, e.g. which
# kernel and tool version) goes into the file's header together with the command. MSG_PEEK
# reads are left out (the real read follows them). The codec tests in ipvs/ replay these files.
set -euo pipefail
[ $# -ge 4 ] && [ "$3" = "--" ] || { echo "usage: $0 OUT.hex NOTE -- CMD [ARG...]" >&2; exit 2; }
out=$1 note=$2; shift 3
command -v strace >/dev/null || { echo "netlink-capture: strace is not installed (apt-get install strace)" >&2; exit 125; }
trace=$(mktemp); trap 'rm -f "$trace"' EXIT
rc=0
strace -f -qq -o "$trace" -e trace=sendto,sendmsg,recvmsg,recvfrom -e write=all -e read=all "$@" || rc=$?
{
  echo "# captured: $*"
  echo "# exit code: $rc; $note"
  echo "# '>' sent by the tool, '<' received from the kernel; bytes in hex (strace -e write=all -e read=all)"
  awk '
    function flush() { if (dir != "" && hex != "") print dir " " hex; dir = ""; hex = "" }
    { sub(/^\[pid +[0-9]+\] /, ""); sub(/^[0-9]+ +/, "") }
    /^(sendto|sendmsg)\(/ { flush(); dir = ">"; next }
    /^(recvmsg|recvfrom)\(/ { flush(); dir = (/MSG_PEEK/ ? "" : "<"); next }
    /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { if (dir != "") { h = substr($0, 11, 49); gsub(/ /, "", h); hex = hex h }; next }
    /^ \* [0-9]+ bytes in buffer/ { next }
    { flush() }
    END { flush() }
  ' "$trace"
} > "$out"
exit "$rc"
