#!/usr/bin/python3
"""tern's Kconfig driver (kconfiglib, Debian package python3-kconfiglib).

One .config is the single source of truth. This tool validates it strictly
and generates, into OUT/include/:
  generated/autoconf.h     CONFIG_* for C
  config/auto.conf         CONFIG_* for make
  generated/user_settings.h  wolfSSL's settings  (tools/gen_user_settings.py)
  generated/lwipopts.h     lwIP's options        (tools/gen_lwipopts.py)

Commands:
  genconfig  --config F --out DIR        validate F, then generate (files
                                         are rewritten only when they change)
  defconfig  --config F DEFCONFIG [FRAGMENT...]   write a full F from a
                                         defconfig plus optional fragments
  olddefconfig --config F                fill in new/missing symbols
  savedefconfig --config F --defconfig OUT   minimal config
  lint                                   every symbol has help, every
                                         int/hex symbol a range
  set --config F SYM=VALUE...            change values (scripts, tests)

Exit status 2 with one line per problem, each naming the symbol, when the
configuration is bad: unknown symbols (e.g. a misspelt board), values out of
range or of the wrong type, symbols missing from .config.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import kconfiglib
except ImportError:
    sys.stderr.write("kconfig: python3-kconfiglib is missing; run `make deps` "
                     "(and use /usr/bin/python3)\n")
    sys.exit(2)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TERN_VERSION", open(os.path.join(TOP, "VERSION")).read().strip()
                      if os.path.exists(os.path.join(TOP, "VERSION")) else "dev")


class ConfigError(Exception):
    pass


def load_kconfig():
    kconf = kconfiglib.Kconfig(os.path.join(TOP, "Kconfig"), warn_to_stderr=False,
                               suppress_traceback=True)
    # paths in messages relative to the top
    return kconf


def rel(path):
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def _int_of(sym_or_str, base):
    s = sym_or_str.str_value if hasattr(sym_or_str, "str_value") else sym_or_str
    return int(s, base)


def check_config(kconf, cfg):
    """Return a list of problems, each one line naming the symbol."""
    problems = []
    invalid = set(re.findall(r"is invalid for (\w+) ", "\n".join(kconf.warnings)))
    for name, val in kconf.missing_syms:
        problems.append("%s: CONFIG_%s=%s: no such symbol in tern's Kconfig "
                        "(misspelt, or removed?)" % (rel(cfg), name, val))
    for sym in kconf.unique_defined_syms:
        uv = sym.user_value
        loc = "%s:%d" % (rel(sym.nodes[0].filename), sym.nodes[0].linenr)
        if sym.orig_type in (kconfiglib.INT, kconfiglib.HEX) and uv is not None:
            base = 16 if sym.orig_type == kconfiglib.HEX else 10
            try:
                v = int(uv, base if base == 10 else 0)
            except ValueError:
                problems.append("%s: CONFIG_%s=%s is not a valid %s value (%s)"
                                % (rel(cfg), sym.name, uv,
                                   kconfiglib.TYPE_TO_STR[sym.orig_type], loc))
                continue
            for low, high, cond in sym.ranges:
                if kconfiglib.expr_value(cond):
                    lo, hi = _int_of(low, 0), _int_of(high, 0)
                    if not lo <= v <= hi:
                        fmt = "0x%x" if base == 16 else "%d"
                        problems.append(("%s: CONFIG_%s=%s is outside its range ["
                                         + fmt + ", " + fmt + "] (%s)")
                                        % (rel(cfg), sym.name, uv, lo, hi, loc))
                    break
        # a visible symbol that .config does not mention at all
        if uv is None and sym.visibility and not sym.choice and sym.name not in invalid \
                and sym.orig_type != kconfiglib.UNKNOWN:
            problems.append("%s: CONFIG_%s is missing (new symbol?); run "
                            "`make olddefconfig` to take its default (%s)"
                            % (rel(cfg), sym.name, loc))
    for choice in kconf.unique_choices:
        if choice.visibility and choice.user_selection is None:
            names = "/".join("CONFIG_" + s.name for s in choice.syms)
            problems.append("%s: choice %s is missing (set one of %s to y, or run "
                            "`make olddefconfig` to take its default)"
                            % (rel(cfg), choice.name or "choice", names))
        elif choice.user_selection is not None and choice.selection is not choice.user_selection:
            problems.append("%s: CONFIG_%s=y is not available here (its dependencies "
                            "are not met)" % (rel(cfg), choice.user_selection.name))
    # anything else kconfiglib noticed (type errors, unmet selects, ...)
    for w in kconf.warnings:
        if "ignored due to being outside the active range" in w:
            continue  # reported above in our own words
        m = re.match(r"warning: the value '(.*)' is invalid for (\w+) \(defined at ([^)]*)\), "
                     r"which has type (\w+)", w)
        if m:
            problems.append("%s: CONFIG_%s=%s is not a valid %s value (%s)"
                            % (rel(cfg), m.group(2), m.group(1), m.group(4), m.group(3)))
            continue
        problems.append("%s: %s" % (rel(cfg), w.replace("\n", " ").replace("warning: ", "", 1)))
    return problems


def load_checked(cfg):
    kconf = load_kconfig()
    if not os.path.exists(cfg):
        raise ConfigError("%s: no such file; run `make <board>_defconfig` "
                          "(see configs/)" % rel(cfg))
    kconf.load_config(cfg)
    # evaluate everything so that kconfiglib's own warnings are produced
    for sym in kconf.unique_defined_syms:
        sym.str_value
    problems = check_config(kconf, cfg)
    if problems:
        raise ConfigError("\n".join(problems))
    return kconf


def write_if_changed(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path) as f:
            if f.read() == text:
                return False
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    return True


HEADER = "/* Generated from %s by tools/kconfig.py. Do not edit: change the\n" \
         " * configuration with `make menuconfig`. */\n"


def autoconf_h(kconf, cfg):
    out = [HEADER % os.path.basename(cfg), "#ifndef TERN_AUTOCONF_H\n#define TERN_AUTOCONF_H\n"]
    for sym in kconf.unique_defined_syms:
        if not sym.config_string:
            continue  # dependencies unmet: no value
        v = sym.str_value
        t = sym.orig_type
        if t in (kconfiglib.BOOL, kconfiglib.TRISTATE):
            if v == "y":
                out.append("#define CONFIG_%s 1\n" % sym.name)
        elif t == kconfiglib.STRING:
            out.append('#define CONFIG_%s "%s"\n' % (sym.name, kconfiglib.escape(v)))
        elif t == kconfiglib.INT:
            out.append("#define CONFIG_%s %s\n" % (sym.name, v))
        elif t == kconfiglib.HEX:
            if not v.lower().startswith("0x"):
                v = "0x" + v
            out.append("#define CONFIG_%s %s\n" % (sym.name, v))
    out.append("#endif\n")
    return "".join(out)


def auto_conf(kconf, cfg):
    out = ["# Generated from %s by tools/kconfig.py; included by the Makefile.\n"
           % os.path.basename(cfg)]
    for sym in kconf.unique_defined_syms:
        if not sym.config_string:
            continue
        v = sym.str_value
        if sym.orig_type in (kconfiglib.BOOL, kconfiglib.TRISTATE) and v == "n":
            continue
        if sym.orig_type == kconfiglib.STRING and v == "":
            continue
        out.append("CONFIG_%s := %s\n" % (sym.name, v))
    return "".join(out)


def cmd_genconfig(cfg, outdir):
    kconf = load_checked(cfg)
    import gen_user_settings
    import gen_lwipopts
    files = {
        "include/generated/autoconf.h": autoconf_h(kconf, cfg),
        "include/config/auto.conf": auto_conf(kconf, cfg),
        "include/generated/user_settings.h": gen_user_settings.generate(kconf, HEADER % os.path.basename(cfg)),
        "include/generated/lwipopts.h": gen_lwipopts.generate(kconf, HEADER % os.path.basename(cfg)),
    }
    for name, text in files.items():
        if write_if_changed(os.path.join(outdir, name), text):
            print("  GEN     %s" % rel(os.path.join(outdir, name)))


def cmd_defconfig(cfg, defconfig, fragments):
    kconf = load_kconfig()
    if not os.path.exists(defconfig):
        raise ConfigError("%s: no such defconfig (have: %s)" % (
            rel(defconfig), ", ".join(sorted(f for f in os.listdir(os.path.join(TOP, "configs"))
                                              if f.endswith("_defconfig")))))
    kconf.load_config(defconfig)
    problems = [p for p in check_config(kconf, defconfig) if "is missing" not in p]
    for frag in fragments:
        kconf.load_config(frag, replace=False)
        problems += [p for p in check_config(kconf, frag) if "is missing" not in p]
    if problems:
        raise ConfigError("\n".join(problems))
    os.makedirs(os.path.dirname(os.path.abspath(cfg)), exist_ok=True)
    kconf.write_config(cfg, save_old=False)
    print("  CONFIG  %s from %s%s" % (rel(cfg), rel(defconfig),
                                      "".join(" + " + rel(f) for f in fragments)))


def cmd_olddefconfig(cfg):
    kconf = load_kconfig()
    if os.path.exists(cfg):
        kconf.load_config(cfg)
    kconf.write_config(cfg, save_old=False)
    print("  CONFIG  %s (new symbols take their defaults)" % rel(cfg))


def cmd_savedefconfig(cfg, out):
    kconf = load_checked(cfg)
    kconf.write_min_config(out)
    print("  SAVE    %s (copy it to configs/<board>_defconfig to keep it)" % rel(out))


def cmd_set(cfg, assigns):
    kconf = load_checked(cfg)
    for a in assigns:
        name, _, val = a.partition("=")
        name = name[7:] if name.startswith("CONFIG_") else name
        sym = kconf.syms.get(name)
        if sym is None or sym.orig_type == kconfiglib.UNKNOWN:
            raise ConfigError("CONFIG_%s: no such symbol" % name)
        if not sym.set_value(val):
            raise ConfigError("CONFIG_%s: cannot be set to %r" % (name, val))
        if sym.str_value != val:
            raise ConfigError("CONFIG_%s=%s did not take (now %s): out of range or "
                              "dependencies unmet" % (name, val, sym.str_value))
    kconf.write_config(cfg, save_old=False)


def cmd_lint():
    kconf = load_kconfig()
    problems = []
    for sym in kconf.unique_defined_syms:
        node = sym.nodes[0]
        loc = "%s:%d" % (rel(node.filename), node.linenr)
        if not any(n.help for n in sym.nodes):
            problems.append("%s: CONFIG_%s has no help" % (loc, sym.name))
        if sym.orig_type in (kconfiglib.INT, kconfiglib.HEX) and not sym.ranges:
            problems.append("%s: CONFIG_%s has no range" % (loc, sym.name))
    for w in kconf.warnings:
        problems.append(w.replace("\n", " "))
    if problems:
        raise ConfigError("\n".join(problems))
    print("kconfig lint: %d symbols, each with help; every int/hex has a range"
          % len(kconf.unique_defined_syms))


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="kconfig.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["genconfig", "defconfig", "olddefconfig",
                                        "savedefconfig", "lint", "set"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--config", default=os.environ.get("KCONFIG_CONFIG", ".config"))
    ap.add_argument("--out", default="build")
    ap.add_argument("--defconfig", default="defconfig")
    a = ap.parse_intermixed_args(argv)
    try:
        if a.command == "genconfig":
            cmd_genconfig(a.config, a.out)
        elif a.command == "defconfig":
            if not a.args:
                ap.error("defconfig needs a defconfig file")
            cmd_defconfig(a.config, a.args[0], a.args[1:])
        elif a.command == "olddefconfig":
            cmd_olddefconfig(a.config)
        elif a.command == "savedefconfig":
            cmd_savedefconfig(a.config, a.defconfig)
        elif a.command == "set":
            cmd_set(a.config, a.args)
        elif a.command == "lint":
            cmd_lint()
    except ConfigError as e:
        for line in str(e).splitlines():
            sys.stderr.write("config error: %s\n" % line)
        return 2
    except kconfiglib.KconfigError as e:
        sys.stderr.write("config error: %s\n" % e)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
