"""lwIP lwipopts.h from tern's .config (see tools/kconfig.py)."""


def generate(kconf, header):
    return header + "#ifndef TERN_LWIPOPTS_H\n#define TERN_LWIPOPTS_H\n#endif\n"
