#!/usr/bin/env bash
# run.sh BINARY [ARGS...] — run a static Linux/amd64 binary (e.g. a Go test
# binary built with CGO_ENABLED=0 go test -c) on an emulated AVX-512 CPU.
#
# Bochs emulates an Intel Skylake-X (AVX-512 F/CD/BW/DQ/VL), boots Debian's
# kernel from a small ISO, and the initramfs holds only our static init
# (scripts/avx512/init), BINARY and its ARGS. The program's output comes back
# over the emulated serial port; this script prints it and exits with the
# program's exit code.
#
# Environment:
#   LSCE_EMU_TIMEOUT  seconds to wait for the program (default 1800)
#   LSCE_EMU_IPS      bochs instructions-per-second setting (default 100000000)
#   LSCE_EMU_MEGS     guest memory in MiB (default 768)
#   LSCE_EMU_KEEP=1   keep the work dir (bochsrc, serial log) for debugging
#   LSCE_EMU_DEBUG=1  verbose kernel boot messages on the serial log
#   LSCE_EMU_WORKDIR  a directory whose contents are copied into the program's
#                     working directory (e.g. a package's testdata/)
set -euo pipefail

if [[ $# -lt 1 ]]; then
	echo "usage: $0 BINARY [ARGS...]" >&2
	exit 2
fi
bin=$(readlink -f "$1")
shift
[[ -x $bin ]] || { echo "run.sh: $bin is not an executable" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/lsce-avx512
timeout=${LSCE_EMU_TIMEOUT:-1800}
ips=${LSCE_EMU_IPS:-100000000}
megs=${LSCE_EMU_MEGS:-768}
mkdir -p "$cache"

# 1. Tools, all from Debian's packages, installed only when missing.
need=()
[[ -x /usr/bin/bochs ]] || need+=(bochs bochs-term) # bochs-term: the lightest package that satisfies bochs-gui
[[ -e /usr/share/bochs/BIOS-bochs-latest ]] || need+=(bochsbios)
[[ -e /usr/share/vgabios/vgabios.bin ]] || need+=(vgabios)
[[ -e /usr/lib/ISOLINUX/isolinux.bin ]] || need+=(isolinux)
[[ -e /usr/lib/syslinux/modules/bios/ldlinux.c32 ]] || need+=(syslinux-common)
command -v xorriso >/dev/null || need+=(xorriso)
command -v cpio >/dev/null || need+=(cpio)
if ((${#need[@]})); then
	echo "run.sh: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
fi

# 2. A kernel: the one Debian's linux-image-cloud-amd64 points at, unpacked
#    once into the cache. Only its bzImage is used (no modules are loaded).
#    The cloud flavour is LZ4-compressed: it boots in ~45 s where the generic
#    (xz) one spends ~2 min of emulated time decompressing itself.
kernel=$(ls "$cache"/kernel/boot/vmlinuz-*-cloud-amd64 2>/dev/null | head -n1 || true)
if [[ -z $kernel ]]; then
	pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[[ -n $pkg ]] || { echo "run.sh: cannot find the kernel package (apt-get update?)" >&2; exit 2; }
	echo "run.sh: fetching $pkg" >&2
	(cd "$cache" && apt-get download "$pkg" >&2 2>/dev/null)
	rm -rf "$cache/kernel" && mkdir -p "$cache/kernel"
	dpkg-deb -x "$cache/$pkg"_*.deb "$cache/kernel"
	rm -f "$cache/$pkg"_*.deb
	kernel=$(ls "$cache"/kernel/boot/vmlinuz-* | head -n1)
fi

# 3. The guest's init, rebuilt when its source is newer than the cached binary.
if [[ ! -x $cache/init || $here/init/main.go -nt $cache/init ]]; then
	(cd "$here/init" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags=-s -o "$cache/init" .)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lsce-avx512.XXXXXX")
bochs_pid=
cleanup() {
	[[ -n $bochs_pid ]] && kill "$bochs_pid" 2>/dev/null || true
	if [[ ${LSCE_EMU_KEEP:-} == 1 ]]; then echo "run.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# 4. The initramfs: /init, /prog (the binary), /args (NUL-separated), /work
#    (the program's working directory). Uncompressed: the emulated CPU is
#    slow, so decompressing would cost more than reading the bytes.
root=$work/root
mkdir -p "$root/work" "$root/tmp" "$root/proc" "$root/dev"
cp "$cache/init" "$root/init"
cp "$bin" "$root/prog"
[[ -n ${LSCE_EMU_WORKDIR:-} ]] && cp -r "$LSCE_EMU_WORKDIR"/. "$root/work/"
: >"$root/args"
for a in "$@"; do printf '%s\0' "$a" >>"$root/args"; done
mkdir -p "$work/iso/isolinux"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$work/iso/initrd"

# 5. A bootable ISO: isolinux loads the kernel and the initramfs. Kernel
#    command line: serial console, quiet, one CPU, nothing optional probed.
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
cp "$kernel" "$work/iso/vmlinuz"
cmdline="console=ttyS0,115200 loglevel=3 quiet mitigations=off nosmp maxcpus=1"
cmdline+=" tsc=reliable no_timer_check nokaslr nopti random.trust_cpu=on"
# Bochs 2.7 reports a wrong XSAVE size for the compacted format and lists PKRU
# in XCR0 without giving it a size; either makes the kernel turn XSAVE off
# (and with it AVX/AVX-512). Hide XSAVEC (321), XSAVES (323), PKU (515) and
# OSPKE (516) so the kernel uses the standard XSAVE layout for x87..ZMM.
cmdline+=" clearcpuid=321,323,515,516"
cmdline+=" pci=noacpi i8042.noaux i8042.nokbd panic=-1 rdinit=/init"
# LSCE_EMU_DEBUG=1: show the kernel's messages from the very start.
[[ ${LSCE_EMU_DEBUG:-} == 1 ]] && cmdline=${cmdline/loglevel=3 quiet/loglevel=8 earlyprintk=serial,ttyS0,115200 ignore_loglevel}
cat >"$work/iso/isolinux/isolinux.cfg" <<CFG
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd
  APPEND $cmdline
CFG
xorriso -as mkisofs -quiet -o "$work/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table "$work/iso" 2>/dev/null

# 6. Bochs: Skylake-X CPU (bochs 2.7's "tigerlake" triple-faults early in
#    this kernel), a VNC display nobody watches (Debian builds no
#    "nogui"; rfb with timeout=0 does not wait for a viewer), no clock sync (run as fast as the
#    host allows), serial port to a file, log only errors.
serial=$work/serial.txt
: >"$serial"
cat >"$work/bochsrc" <<RC
megs: $megs
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=corei7_skylake_x, count=1, ips=$ips, reset_on_triple_fault=0
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
vga: extension=vbe, update_freq=1
ata0-master: type=cdrom, path=$work/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$serial
log: $work/bochs.log
logprefix: %t%e%d
debug: action=ignore
info: action=ignore
error: action=report
panic: action=fatal
mouse: enabled=0
speaker: enabled=0
RC
start=$(date +%s)
# Debian's bochs has the debugger built in, which stops before the first
# instruction: "continue" from a command file starts the machine.
echo c >"$work/debugger.rc"
bochs -q -rc "$work/debugger.rc" -f "$work/bochsrc" >"$work/bochs.out" 2>&1 </dev/null &
bochs_pid=$!

# 7. Wait for the exit marker (or bochs dying, or the timeout).
status= started=
while :; do
	if [[ -z $started ]] && grep -aq '^LSCE-START' <(tr -d '\r' <"$serial"); then
		started=$(($(date +%s) - start))
		echo "run.sh: guest booted, program started after ${started}s" >&2
	fi
	if grep -aq '^LSCE-EXIT=' <(tr -d '\r' <"$serial"); then
		status=$(tr -d '\r' <"$serial" | sed -n 's/^LSCE-EXIT=\([0-9]*\).*/\1/p' | tail -n1)
		break
	fi
	if ! kill -0 "$bochs_pid" 2>/dev/null; then break; fi
	if (($(date +%s) - start > timeout)); then
		echo "run.sh: timed out after ${timeout}s" >&2
		break
	fi
	sleep 1
done
# The guest powers itself off; give bochs a moment, then make sure it is gone.
for _ in 1 2 3 4 5; do kill -0 "$bochs_pid" 2>/dev/null || break; sleep 1; done
kill "$bochs_pid" 2>/dev/null || true
wait "$bochs_pid" 2>/dev/null || true
bochs_pid=

# 8. Print what the program wrote (between init's markers) and pass on its code.
tr -d '\r' <"$serial" | sed -n '/^LSCE-START$/,/^LSCE-EXIT=/p' | sed '1d;$d'
echo "run.sh: emulated run took $(($(date +%s) - start))s" >&2
if [[ -z $status ]]; then
	echo "run.sh: no exit marker; last serial output and bochs log:" >&2
	tr -d '\r' <"$serial" | tail -n 30 >&2
	tail -n 20 "$work/bochs.out" "$work/bochs.log" >&2 || true
	exit 125
fi
exit "$status"
