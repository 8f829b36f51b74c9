/* IS_ENABLED(CONFIG_X): 1 when the bool symbol is y, else 0, usable in C
 * expressions so the compiler drops dead code instead of #ifdef. */
#ifndef TERN_LIB_KCONFIG_H
#define TERN_LIB_KCONFIG_H

#define TERN__ARG_PLACEHOLDER_1 0,
#define TERN__TAKE_SECOND(ignored, val, ...) val
#define TERN__IS_ENABLED3(arg1_or_junk) TERN__TAKE_SECOND(arg1_or_junk 1, 0, 0)
#define TERN__IS_ENABLED2(val) TERN__IS_ENABLED3(TERN__ARG_PLACEHOLDER_##val)
#define IS_ENABLED(option) TERN__IS_ENABLED2(option)

#define BUILD_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif
