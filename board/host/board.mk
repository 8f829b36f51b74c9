# board/host: tern as a Linux process built with the native toolchain.
port-y  += port/posix/posix.c port/posix/tcp.c
board-y += board/host/main.c board/host/config.c
IMAGE   := $(O)/tern
UNIT_RUNNER :=

$(IMAGE): $(call obj,$(board-y)) $(O)/lib/libtern.a $(IMAGE_LIBS)
	@echo "  LD      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $(call obj,$(board-y)) $(O)/lib/libtern.a $(IMAGE_LIBS) $(LDLIBS)
