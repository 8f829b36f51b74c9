/* board/host/config: the host board's settings, from the command line
 * and from a --config FILE.
 *
 * One function, tern_set(), checks and stores a setting whichever way
 * it came; tern_config_read() feeds it the lines of a file. The file
 * holds one setting a line, NAME VALUE:
 *
 *   # a comment: '#' as the first non-blank character of a line
 *   listen 127.0.0.1:4433
 *   cert   tern.crt
 *   alt-svc h3=":443"; ma=86400
 *
 * NAME is a long option (listen, cert, key, backend, route,
 * backend-timeout, alt-svc, retry, crypto), then blanks (spaces, tabs),
 * then the VALUE to the end of the line, blanks at its end trimmed.
 * Blank lines are ignored. retry takes yes|no (on|off, true|false).
 * Every setting but route at most once; routes add up.
 *
 * The command line wins: main parses all of argv first, and the file
 * only fills in what the command line did not give (its lines for those
 * must still name a setting, have a value and not repeat, but their
 * values are not used). Routes from the file come before those of the
 * command line. A relative cert or key path in the file is taken from
 * the directory the file is in.
 *
 * Nothing is allocated: the file is read into one static buffer
 * (TERN_CONFIG_FILE_MAX) and the settings point into it.
 */
#ifndef TERN_BOARD_HOST_CONFIG_H
#define TERN_BOARD_HOST_CONFIG_H

#include <stdbool.h>
#include <sys/socket.h>

#define TERN_CONFIG_FILE_MAX 65536

enum tern_setting {
	TERN_LISTEN,
	TERN_CERT,
	TERN_KEY,
	TERN_BACKEND,
	TERN_ROUTE,
	TERN_BACKEND_TIMEOUT,
	TERN_ALT_SVC,
	TERN_RETRY,
	TERN_CRYPTO,
	TERN_SETTING_COUNT
};

/* Where a setting came from: file NULL, the command line (or not given
 * at all); else line `line` of that file. */
struct tern_at {
	const char *file;
	unsigned line;
};

struct tern_settings {
	unsigned given;                 /* bit 1u << enum tern_setting */
	struct tern_at at[TERN_SETTING_COUNT];
	const char *listen;             /* as given, for messages */
	struct sockaddr_storage addr;   /* listen, parsed */
	socklen_t alen;
	const char *cert, *key;         /* file paths */
	const char *backend;            /* HOST:PORT, checked by term_set_backend */
	double backend_timeout;         /* seconds; 0: Kconfig's */
	const char *alt_svc;
	bool retry, portable;
	/* the file's routes first, then the command line's */
	const char *route[CONFIG_TERM_ROUTES_MAX];
	struct tern_at route_at[CONFIG_TERM_ROUTES_MAX];
	unsigned nroutes, nfile_routes;
};

/* The setting's name: its long option and its name in a file. */
extern const char *const tern_setting_name[TERN_SETTING_COUNT];

/* Check value and store it (a pointer to it) in s. 0, or exit status 2
 * after one line on stderr naming where it came from and why. */
int tern_set(struct tern_settings *s, enum tern_setting id, const char *value,
	     const struct tern_at *at);

/* Read FILE: each line to tern_set, except settings s has already (from
 * the command line). 0, or 2 after one line on stderr. At most one file:
 * the settings point into its buffer. */
int tern_config_read(struct tern_settings *s, const char *path);

/* One line on stderr: "tern: --NAME" (command line) or "tern:
 * FILE:LINE: NAME" (name NULL: "tern: FILE:LINE: "), then fmt. */
void tern_error(const struct tern_at *at, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
