# board/linux-arm64: the host board's program, cross-compiled for arm64
# Linux. On an x86_64 build machine it runs under qemu-aarch64.
include board/host/board.mk
# -cpu max: every extension the arm64 crypto code can use (AES, PMULL,
# SHA-2), so the unit tests run it; the crypto tests also force the
# portable path and mask AES off (tests/unit/unit_crypto.h).
UNIT_RUNNER := $(QEMU_USER) -cpu max
