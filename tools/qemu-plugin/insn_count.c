// SPDX-License-Identifier: MIT
/* tools/qemu-plugin/insn_count.c: a QEMU TCG plugin that counts the guest
 * instructions executed and prints "insns: N" to stderr at exit.
 *
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu -plugin insn_count.so ./prog
 *
 * Per translation block, an inline add of the block's instruction count
 * runs each time the block executes (no callback, so it is cheap). A block
 * left early (a fault in its middle) still counts whole: the count is exact
 * for straight-line user code, which is what the benchmarks run. One
 * counter for all vCPUs, not atomic: single-threaded guests only.
 * Built against QEMU's public plugin API header (include/qemu/qemu-plugin.h
 * from Debian's qemu source package, tools/deps.sh); no glib.
 */
#include <inttypes.h>
#include <stdio.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t insns;

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &insns, qemu_plugin_tb_n_insns(tb));
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	fprintf(stderr, "insns: %" PRIu64 "\n", insns);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
