# `make test`: everything that must pass before a change lands
# (tools/run-tests.sh; STEPS="host aarch64" runs a subset).
.PHONY: test
test: deps
	$(Q)bash tools/run-tests.sh $(STEPS)
