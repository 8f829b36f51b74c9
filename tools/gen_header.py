"""Shared pieces of the header generators (gen_user_settings.py,
gen_lwipopts.py): reading config symbols and writing commented groups of
#defines."""


def on(kconf, name):
    # KeyError on a symbol that is gone: a renamed Kconfig symbol must not
    # silently drop a setting from a generated header.
    return kconf.syms[name].str_value == "y"


def int_value(kconf, name):
    return int(kconf.syms[name].str_value, 0)


class HeaderWriter:
    def __init__(self):
        self.lines = []

    def group(self, comment, *defines):
        """A commented block of #defines. A define is "NAME" (no value) or
        ("NAME", value); values are aligned in a column."""
        body = [l.rstrip() for l in comment.strip().splitlines()]
        self.lines.append("")
        self.lines += [("/* " if i == 0 else " * ") + l for i, l in enumerate(body)]
        self.lines[-1] += " */"
        pairs = [d if isinstance(d, tuple) else (d, None) for d in defines]
        # long function-like names (hooks) do not widen the column
        width = max((len(n) for n, v in pairs if v is not None and "(" not in n), default=0)
        for name, value in pairs:
            if value is None:
                self.lines.append("#define %s" % name)
            else:
                self.lines.append("#define %-*s %s" % (width, name, value))

    def check(self, cond, message):
        """A compile-time check: #error message when cond holds."""
        self.lines.append("#if %s" % cond)
        self.lines.append('#error "%s"' % message)
        self.lines.append("#endif")

    def raw(self, text):
        self.lines.extend(text.rstrip("\n").split("\n"))

    def text(self):
        return "\n".join(self.lines) + "\n"
