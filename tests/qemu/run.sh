#!/usr/bin/env bash
# tests/qemu/run.sh: boot a bare-metal ELF on QEMU's virt machine. This is
# the one QEMU command line; make qemu/unit/boot-test and the tests use it.
#
# Usage: run.sh [-m MiB] [-t SECONDS] ELF [EXTRA QEMU ARGS...]
# The console (PL011) is on stdio. The image ends QEMU through semihosting
# with its exit status, which becomes this script's; 124 on timeout.
# QEMU_NET (environment) replaces the network options, by default `-nic
# none` (virt's default NIC is a PCI card wanting a boot ROM). The image's
# own NIC is virtio-net on virtio-mmio, e.g. QEMU's user network with a
# host UDP port forwarded to the guest's port 7 (tests/qemu/net-echo.sh):
#   QEMU_NET="-netdev user,id=n0,hostfwd=udp:127.0.0.1:7007-:7
#             -device virtio-net-device,netdev=n0"
# and `-global virtio-mmio.force-legacy=false` (in QEMU_NET or after ELF)
# for the virtio 1.x transport instead of the legacy one.
set -u
mem=128
secs=120
while getopts m:t: opt; do
	case $opt in
	m) mem=$OPTARG ;;
	t) secs=$OPTARG ;;
	*) echo "usage: $0 [-m MiB] [-t SECONDS] ELF [QEMU ARGS...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 [-m MiB] [-t SECONDS] ELF [QEMU ARGS...]" >&2
	exit 2
fi
elf=$1
shift
# --foreground: QEMU may use the terminal (interactive `make qemu`).
exec timeout --foreground "$secs" \
	qemu-system-aarch64 -M virt -cpu cortex-a72 -m "$mem" -nographic \
	-semihosting-config enable=on,target=native \
	-device virtio-rng-device \
	${QEMU_NET:--nic none} \
	-kernel "$elf" "$@"
