/* board/host/config: the host board's settings, from the command line
 * and from a --config FILE (the format: config.h). This is the board,
 * not the core: stdio is fine here; nothing is allocated. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/host/config.h"
#include "term/term.h"

const char *const tern_setting_name[TERN_SETTING_COUNT] = {
	[TERN_LISTEN] = "listen",
	[TERN_CERT] = "cert",
	[TERN_KEY] = "key",
	[TERN_BACKEND] = "backend",
	[TERN_ROUTE] = "route",
	[TERN_BACKEND_TIMEOUT] = "backend-timeout",
	[TERN_ALT_SVC] = "alt-svc",
	[TERN_RETRY] = "retry",
	[TERN_CRYPTO] = "crypto",
};

void tern_error(const struct tern_at *at, const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at->file)
		fprintf(stderr, "tern: %s:%u: %s%s\n", at->file, at->line, name ? name : "", msg);
	else
		fprintf(stderr, "tern: %s%s%s\n", name ? "--" : "", name ? name : "", msg);
}

/* "127.0.0.1:4433", "[::1]:4433", "0.0.0.0" (default port) */
static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	long port = CONFIG_TERM_LISTEN_PORT;
	const char *colon;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = 0;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return -1;
	} else {
		colon = strrchr(s, ':');
		size_t hl = colon ? (size_t)(colon - s) : strlen(s);

		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = 0;
	}
	if (colon) {
		char *e;

		port = strtol(colon + 1, &e, 10);
		if (*e || port < 1 || port > 65535)
			return -1;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
	} else {
		return -1;
	}
	return 0;
}

/* retry's values: 1 yes, 0 no, -1 neither */
static int parse_bool(const char *v)
{
	static const char *const words[] = { "no", "yes", "off", "on", "false", "true" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(v, words[i]))
			return (int)(i & 1);
	return -1;
}

/* The file's routes go before the command line's (read earlier). */
static int add_route(struct tern_settings *s, const char *value, const struct tern_at *at)
{
	unsigned i = at->file ? s->nfile_routes : s->nroutes;

	if (s->nroutes == CONFIG_TERM_ROUTES_MAX) {
		tern_error(at, "route", ": more than %d routes (CONFIG_TERM_ROUTES_MAX)",
			   CONFIG_TERM_ROUTES_MAX);
		return 2;
	}
	memmove(&s->route[i + 1], &s->route[i], (s->nroutes - i) * sizeof(s->route[0]));
	memmove(&s->route_at[i + 1], &s->route_at[i], (s->nroutes - i) * sizeof(s->route_at[0]));
	s->route[i] = value;
	s->route_at[i] = *at;
	s->nroutes++;
	if (at->file)
		s->nfile_routes++;
	return 0;
}

int tern_set(struct tern_settings *s, enum tern_setting id, const char *value,
	     const struct tern_at *at)
{
	const char *name = tern_setting_name[id];
	char *e;
	int b;

	switch (id) {
	case TERN_LISTEN:
		if (parse_addr(value, &s->addr, &s->alen) < 0) {
			tern_error(at, name, ": '%s' is not ADDR:PORT (e.g. 127.0.0.1:4433 or "
				   "[::1]:4433)", value);
			return 2;
		}
		s->listen = value;
		break;
	case TERN_CERT:
		s->cert = value;
		break;
	case TERN_KEY:
		s->key = value;
		break;
	case TERN_BACKEND:
		s->backend = value;  /* term_set_backend checks it */
		break;
	case TERN_ROUTE:
		return add_route(s, value, at);
	case TERN_BACKEND_TIMEOUT:
		s->backend_timeout = strtod(value, &e);
		if (e == value || *e || !(s->backend_timeout >= 0.1 && s->backend_timeout <= 3600)) {
			tern_error(at, name, ": '%s' is not a number of seconds from 0.1 to 3600",
				   value);
			return 2;
		}
		break;
	case TERN_ALT_SVC:
		if (strlen(value) >= sizeof(((struct term *)0)->alt_svc)) {
			tern_error(at, name, ": longer than %zu bytes",
				   sizeof(((struct term *)0)->alt_svc) - 1);
			return 2;
		}
		s->alt_svc = value;
		break;
	case TERN_RETRY:
		b = parse_bool(value);
		if (b < 0) {
			tern_error(at, name, ": '%s' is not yes or no (or on/off, true/false)", value);
			return 2;
		}
		s->retry = b;
		break;
	case TERN_CRYPTO:
		if (strcmp(value, "auto") && strcmp(value, "portable")) {
			tern_error(at, name, ": '%s' is not auto or portable", value);
			return 2;
		}
		s->portable = !strcmp(value, "portable");
		break;
	default:  /* TERN_SETTING_COUNT: not a setting, never passed */
		return 2;
	}
	s->given |= 1u << id;
	s->at[id] = *at;
	return 0;
}

/* ---- the file ---- */

static char text[TERN_CONFIG_FILE_MAX + 1];
/* cert and key paths with the file's directory in front */
static char path_buf[2][PATH_MAX];

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A relative path from the file at->file: the same path from the
 * directory that file is in. */
static int from_file_dir(const char **value, const struct tern_at *at, const char *name,
			 char *buf, size_t size)
{
	const char *slash = strrchr(at->file, '/');
	int dirlen = slash ? (int)(slash - at->file + 1) : 0;

	if (**value == '/' || !dirlen)
		return 0;
	if ((size_t)snprintf(buf, size, "%.*s%s", dirlen, at->file, *value) >= size) {
		tern_error(at, name, ": the path with %.*s in front is longer than %zu bytes",
			   dirlen, at->file, size - 1);
		return 2;
	}
	*value = buf;
	return 0;
}

/* One line, NUL-terminated at eol; first[id]: the line that gave id */
static int config_line(struct tern_settings *s, char *p, char *eol, const struct tern_at *at,
		       unsigned *first)
{
	const char *name, *value;
	unsigned id;

	while (eol > p && is_blank(eol[-1]))
		*--eol = 0;
	while (is_blank(*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	name = p;
	while (*p && !is_blank(*p))
		p++;
	if (*p)
		*p++ = 0;
	while (is_blank(*p))
		p++;
	value = p;
	for (id = 0; id < TERN_SETTING_COUNT && strcmp(name, tern_setting_name[id]); id++)
		;
	if (id == TERN_SETTING_COUNT) {
		tern_error(at, NULL, "unknown setting '%.64s'", name);
		return 2;
	}
	if (!*value) {
		tern_error(at, name, ": no value");
		return 2;
	}
	if (id != TERN_ROUTE) {
		if (first[id]) {
			tern_error(at, NULL, "'%s' given twice (first on line %u)", name, first[id]);
			return 2;
		}
		first[id] = at->line;
		if (s->given & 1u << id)
			return 0;  /* the command line's wins */
	}
	if ((id == TERN_CERT || id == TERN_KEY) &&
	    from_file_dir(&value, at, name, path_buf[id == TERN_KEY], sizeof(path_buf[0])))
		return 2;
	return tern_set(s, (enum tern_setting)id, value, at);
}

int tern_config_read(struct tern_settings *s, const char *path)
{
	static const struct tern_at argv_at;
	unsigned first[TERN_SETTING_COUNT] = { 0 };
	struct tern_at at = { .file = path };
	FILE *f = fopen(path, "r");
	char *p = text, *end, *eol;
	size_t n;

	if (!f) {
		tern_error(&argv_at, "config", " %s: %s", path, strerror(errno));
		return 2;
	}
	n = fread(text, 1, TERN_CONFIG_FILE_MAX, f);
	if (ferror(f) || (n == TERN_CONFIG_FILE_MAX && fgetc(f) != EOF)) {
		if (ferror(f))
			tern_error(&argv_at, "config", " %s: %s", path, strerror(errno));
		else
			tern_error(&argv_at, "config", " %s: larger than %d bytes (the most tern "
				   "reads)", path, TERN_CONFIG_FILE_MAX);
		fclose(f);
		return 2;
	}
	fclose(f);
	for (end = text + n; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;  /* text[n] is in the buffer */
		at.line++;
		if (memchr(p, 0, (size_t)(eol - p))) {
			tern_error(&at, NULL, "a NUL byte: not a text file");
			return 2;
		}
		*eol = 0;
		if (config_line(s, p, eol, &at, first))
			return 2;
	}
	return 0;
}
