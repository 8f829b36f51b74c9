"""wolfSSL user_settings.h from tern's .config (see tools/kconfig.py).

Placeholder header only until the wolfSSL build lands; replaced by the full
generator in the same series."""


def generate(kconf, header):
    return header + "#ifndef TERN_USER_SETTINGS_H\n#define TERN_USER_SETTINGS_H\n#endif\n"
