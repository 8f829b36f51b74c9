# board/linux-arm64: the host board's program, cross-compiled for arm64
# Linux. On an x86_64 build machine it runs under qemu-aarch64.
include board/host/board.mk
UNIT_RUNNER := $(QEMU_USER)
