/* board/host: tern as a Linux process (also the linux-arm64 board).
 *
 * Configuration (command line and --config file: config.c), pools, one
 * UDP socket feeding the QUIC endpoint (quic/endpoint.h) with the
 * monotonic clock, HTTP/3 served by the terminator (term/term.h), a
 * graceful stop on SIGINT/SIGTERM (GOAWAY, drain, statistics, exit 0).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "board/host/config.h"
#include "crypto/crypto.h"
#include "lib/log.h"
#include "lib/pool.h"
#include "port/port.h"
#include "port/posix/posix.h"
#include "quic/conn.h"
#include "quic/endpoint.h"
#include "term/term.h"
/* the demo certificate (CN localhost, signed by the test CA) until
 * --cert/--key load real ones */
#include "tests/unit/data/test_cert.h"

static struct quic_endpoint ep;
static struct term term;

/* after SIGINT/SIGTERM: how long requests in progress may take to finish */
#define DRAIN_NS (UINT64_C(10) * 1000000000u)

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void print_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	LOG_INFO("%s", line);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tern [options]\n"
		"  -l, --listen ADDR:PORT  UDP address to serve (default 127.0.0.1:%d;\n"
		"                          IPv6 as [::1]:PORT)\n"
		"  -t, --duration SECONDS  stop by itself after SECONDS (default: run until\n"
		"                          SIGINT/SIGTERM)\n"
		"      --cert FILE         server certificate, PEM or DER (default: the\n"
		"                          built-in demo certificate, CN localhost)\n"
		"      --key FILE          its private key, PEM or DER (with --cert)\n"
		"  -b, --backend HOST:PORT HTTP/1.1 backend for every request no route and\n"
		"                          no built-in path (/, /bytes/N, /echo) takes;\n"
		"                          HOST an IPv4 address or [IPv6] (default: %s)\n"
		"      --route [AUTHORITY]/PREFIX=HOST:PORT\n"
		"                          send matching requests to that backend, before\n"
		"                          the built-in paths; longest prefix wins;\n"
		"                          repeatable (adds to CONFIG_TERM_ROUTES)\n"
		"      --backend-timeout SECONDS\n"
		"                          connect, first byte and idle limit for backends;\n"
		"                          then 504 (default %u)\n"
		"      --alt-svc VALUE     add alt-svc: VALUE to backend responses\n"
		"      --retry             answer every new client with a Retry first\n"
		"                          (address validation, RFC 9000 8.1)\n"
		"      --crypto=MODE       packet protection path: auto (the best the CPU\n"
		"                          runs, per primitive; default) or portable\n"
		"                          (wolfCrypt's C code for everything)\n"
		"  -f, --config FILE       read settings from FILE, one a line: NAME VALUE,\n"
		"                          NAME one of listen, cert, key, backend, route\n"
		"                          (repeatable), backend-timeout, alt-svc, retry\n"
		"                          (VALUE yes or no), crypto; VALUE is the rest of\n"
		"                          the line. # starts a comment line. An option on\n"
		"                          the command line wins over the file's setting;\n"
		"                          routes from both add up, the file's first. A\n"
		"                          relative cert or key path in FILE is taken from\n"
		"                          FILE's directory (board/host/tern.conf.example)\n"
		"      --pool-stats        print the memory pools (sizes from .config) and exit\n"
		"  -V, --version           print version and configuration, exit\n"
		"  -h, --help              this text\n"
		"On SIGINT/SIGTERM tern stops, prints pool statistics and exits 0.\n"
		"Exit status 2: bad option or --config line, the address cannot be served,\n"
		"or the certificate or key cannot be used (one line says which and why,\n"
		"FILE:LINE for a setting from the config file).\n",
		CONFIG_TERM_LISTEN_PORT, CONFIG_TERM_BACKEND[0] ? CONFIG_TERM_BACKEND : "none",
		(unsigned)(CONFIG_TERM_BACKEND_TIMEOUT_MS / 1000));
}

/* ---- certificate and key files: PEM (the first block of the right
 * kind) or DER, read into a static buffer (this is the board, not the
 * core: stdio is fine here; nothing is allocated) ---- */

#define PEM_FILE_MAX 65536

static int b64_value(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* The body of the first "-----BEGIN <label>" block whose label ends in
 * one of `kinds` (e.g. "CERTIFICATE", "PRIVATE KEY"), base64-decoded in
 * place. Its length, or 0: no such block or bad base64. */
static size_t pem_decode(uint8_t *buf, size_t len, const char *const *kinds)
{
	char *p = (char *)buf, *end = (char *)buf + len;

	buf[len] = 0;
	while ((p = strstr(p, "-----BEGIN "))) {
		char *label = p + 11, *eol = strstr(label, "-----");
		bool match = false;

		if (!eol)
			return 0;
		for (const char *const *k = kinds; *k; k++) {
			size_t kl = strlen(*k);

			match |= (size_t)(eol - label) >= kl && !memcmp(eol - kl, *k, kl);
		}
		p = eol + 5;
		if (!match)
			continue;
		size_t out = 0;
		uint32_t acc = 0;
		int bits = 0;

		for (; p < end && *p != '-'; p++) {
			int v = b64_value((unsigned char)*p);

			if (v < 0) {
				if (*p == '=' || *p == '\r' || *p == '\n' || *p == ' ' || *p == '\t')
					continue;
				return 0;
			}
			acc = acc << 6 | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				buf[out++] = (uint8_t)(acc >> bits);
			}
		}
		return out;
	}
	return 0;
}

/* Read path into buf: DER as it is, PEM decoded. 0, or exit status 2
 * after one line naming where the setting `what` came from (at), the
 * file and the reason. */
static int load_der(const struct tern_at *at, const char *what, const char *path,
		    const char *const *kinds, uint8_t *buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		tern_error(at, what, " %s: %s", path, strerror(errno));
		return 2;
	}
	n = fread(buf, 1, PEM_FILE_MAX, f);
	if (ferror(f) || (n == PEM_FILE_MAX && fgetc(f) != EOF)) {
		tern_error(at, what, " %s: %s", path, ferror(f) ? strerror(errno) : "larger than 64 KB");
		fclose(f);
		return 2;
	}
	fclose(f);
	if (n && buf[0] == 0x30) {  /* a DER SEQUENCE */
		*len = n;
		return 0;
	}
	*len = pem_decode(buf, n, kinds);
	if (!*len) {
		tern_error(at, what, " %s: neither DER nor a PEM %s block", path, kinds[0]);
		return 2;
	}
	return 0;
}

/* One line: each enabled suite with the path its keys take (after
 * --crypto), in the server's preference order. */
static const char *crypto_paths(char *line, size_t size)
{
	enum crypto_aead order[4];
	size_t n = crypto_suite_preference(order, 4);
	int off = snprintf(line, size, "crypto%s:",
			   crypto_portable_forced() ? " (portable forced)" : "");

	for (size_t i = 0; i < n && off > 0 && (size_t)off < size; i++)
		off += snprintf(line + off, size - (size_t)off, " %s=%s",
				crypto_aead_name(order[i]),
				crypto_aead_accelerated(order[i]) ? "accelerated" : "portable");
	return line;
}

static int to_quic_addr(const struct sockaddr_storage *ss, struct quic_addr *q)
{
	memset(q, 0, sizeof(*q));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		q->family = 4;
		q->port = ntohs(a->sin_port);
		memcpy(q->ip, &a->sin_addr, 4);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		q->family = 6;
		q->port = ntohs(a->sin6_port);
		memcpy(q->ip, &a->sin6_addr, 16);
		return 0;
	}
	return -1;
}

/* ECN (RFC 9000 13.4) on a Linux UDP socket: the receiving side asks
 * for the TOS / traffic class of each datagram (IP_RECVTOS,
 * IPV6_RECVTCLASS), the sending side gives the codepoint per datagram
 * as ancillary data (IP_TOS, IPV6_TCLASS). false: the socket cannot,
 * and the endpoint is told never to mark. */
static bool ecn_socket(int fd, int family)
{
	int on = 1;

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof(on)) == 0;
	return setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof(on)) == 0;
}

static ssize_t recv_ecn(int fd, uint8_t *buf, size_t cap, struct sockaddr_storage *from,
			uint8_t *ecn)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(int)) * 2];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr m = {
		.msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
	};
	ssize_t n = recvmsg(fd, &m, 0);

	*ecn = QUIC_ECN_NOT_ECT;
	if (n < 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS && c->cmsg_len)
			*ecn = *(uint8_t *)CMSG_DATA(c) & 3;
		else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
			int tc;

			memcpy(&tc, CMSG_DATA(c), sizeof(tc));
			*ecn = (uint8_t)(tc & 3);
		}
	}
	return n;
}

static ssize_t send_ecn(int fd, const uint8_t *buf, size_t n, const struct sockaddr_storage *to,
			socklen_t tl, uint8_t ecn)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = n };
	struct msghdr m = {
		.msg_name = (void *)to, .msg_namelen = tl, .msg_iov = &iov, .msg_iovlen = 1,
	};
	int tc = ecn;

	if (ecn) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = to->ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
		c->cmsg_type = to->ss_family == AF_INET6 ? IPV6_TCLASS : IP_TOS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &tc, sizeof(tc));
	}
	return sendmsg(fd, &m, 0);
}

static socklen_t from_quic_addr(const struct quic_addr *q, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (q->family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(q->port);
		memcpy(&a->sin_addr, q->ip, 4);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

	a->sin6_family = AF_INET6;
	a->sin6_port = htons(q->port);
	memcpy(&a->sin6_addr, q->ip, 16);
	return sizeof(*a);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'f' },
		{ "pool-stats", no_argument, NULL, 'P' },
		{ "crypto", required_argument, NULL, 'C' },
		{ "retry", no_argument, NULL, 'R' },
		{ "backend", required_argument, NULL, 'b' },
		{ "route", required_argument, NULL, 'r' },
		{ "backend-timeout", required_argument, NULL, 'T' },
		{ "alt-svc", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct tern_at argv_at;  /* the command line */
	static struct tern_settings set;
	char listen_default[32], line[256];
	const char *config_path = NULL;
	double duration = 0;
	bool version = false;
	static uint8_t cert_der[PEM_FILE_MAX + 1], key_der[PEM_FILE_MAX + 1];
	size_t cert_len = sizeof(test_server_cert_der), key_len = sizeof(test_server_key_der);
	static const char *const cert_kinds[] = { "CERTIFICATE", NULL };
	static const char *const key_kinds[] = { "PRIVATE KEY", NULL };
	int c;

	/* all of argv first: what it gives, the config file cannot change */
	while ((c = getopt_long(argc, argv, "l:t:b:f:Vh", opts, NULL)) != -1) {
		enum tern_setting id = TERN_SETTING_COUNT;  /* not a setting */
		const char *arg = optarg;

		switch (c) {
		case 'l':
			id = TERN_LISTEN;
			break;
		case 'c':
			id = TERN_CERT;
			break;
		case 'k':
			id = TERN_KEY;
			break;
		case 'b':
			id = TERN_BACKEND;
			break;
		case 'r':
			id = TERN_ROUTE;
			break;
		case 'T':
			id = TERN_BACKEND_TIMEOUT;
			break;
		case 'A':
			id = TERN_ALT_SVC;
			break;
		case 'R':
			id = TERN_RETRY;
			arg = "yes";
			break;
		case 'C':
			id = TERN_CRYPTO;
			break;
		case 'f':
			config_path = optarg;
			break;
		case 't': {
			char *e;

			duration = strtod(optarg, &e);
			if (*e || duration <= 0) {
				fprintf(stderr, "tern: --duration: '%s' is not a positive number of seconds\n", optarg);
				return 2;
			}
			break;
		}
		case 'P':
			pool_init_all();
			pool_stats_format(print_line, stdout);
			return 0;
		case 'V':
			version = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (id != TERN_SETTING_COUNT && tern_set(&set, id, arg, &argv_at))
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "tern: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (config_path && tern_config_read(&set, config_path))
		return 2;
	snprintf(listen_default, sizeof(listen_default), "127.0.0.1:%d", CONFIG_TERM_LISTEN_PORT);
	if (!set.listen && tern_set(&set, TERN_LISTEN, listen_default, &argv_at))
		return 2;
	crypto_set_portable(set.portable);
	if (version) {
		printf("tern %s, board %s, %u pools, %lu bytes static pool memory\n",
		       TERN_VERSION, CONFIG_BOARD, (unsigned)POOL_ID_COUNT,
		       (unsigned long)pool_total_bytes());
		printf("%s\n", crypto_paths(line, sizeof(line)));
		return 0;
	}

	const struct tern_at *cert_at = &set.at[TERN_CERT], *key_at = &set.at[TERN_KEY];

	if (!set.cert != !set.key) {
		enum tern_setting one = set.cert ? TERN_CERT : TERN_KEY;

		tern_error(&set.at[one], tern_setting_name[one], " and %s%s go together",
			   set.at[one].file ? "" : "--", set.cert ? "key" : "cert");
		return 2;
	}
	if (set.cert && (load_der(cert_at, "cert", set.cert, cert_kinds, cert_der, &cert_len) ||
			 load_der(key_at, "key", set.key, key_kinds, key_der, &key_len)))
		return 2;
	const char *why;

	if (term_init(&term, &why)) {
		fprintf(stderr, "tern: Kconfig: %s\n", why);
		return 2;
	}
	if (set.backend && term_set_backend(&term, set.backend, &why)) {
		tern_error(&set.at[TERN_BACKEND], "backend", " '%s': %s", set.backend, why);
		return 2;
	}
	for (unsigned i = 0; i < set.nroutes; i++) {
		if (term_add_route(&term, set.route[i], &why)) {
			tern_error(&set.route_at[i], "route", " '%s': %s", set.route[i], why);
			return 2;
		}
	}
	if (set.backend_timeout > 0)
		term.timeout_ns = (uint64_t)(set.backend_timeout * 1e9);
	snprintf(term.alt_svc, sizeof(term.alt_svc), "%s", set.alt_svc ? set.alt_svc : "");
	pool_init_all();
	int fd = socket(set.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&set.addr, set.alen) < 0) {
		tern_error(&set.at[TERN_LISTEN], NULL, "cannot serve udp %s: %s", set.listen,
			   strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}

	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	bool ecn = ecn_socket(fd, set.addr.ss_family);

	if (!ecn)
		LOG_WARN("ECN off: the socket cannot report the ECN field (%s)", strerror(errno));

	struct quic_endpoint_cfg cfg = {
		.server = true, .no_ecn = !ecn,
		.app = h3_server_app_ops(), .app_ctx = &term.h3,
		.early_data = true,  /* only with CONFIG_QUIC_0RTT=y */
		.cert = set.cert ? cert_der : test_server_cert_der, .certlen = cert_len,
		.key = set.key ? key_der : test_server_key_der, .keylen = key_len,
		.retry = set.retry ? QUIC_RETRY_ALWAYS : QUIC_RETRY_NEVER,
	};

	int err = port_entropy(cfg.static_secret, sizeof(cfg.static_secret)) != 0 ||
		  port_entropy(cfg.seed, sizeof(cfg.seed)) != 0 ? -1 : quic_endpoint_init(&ep, &cfg);

	crypto_wipe(&cfg, sizeof(cfg));
	crypto_wipe(key_der, sizeof(key_der));
	if (err) {
		const char *cp = set.cert ? set.cert : "(built-in)";
		const char *kp = set.key ? set.key : "(built-in)";

		if (err == QUIC_TLS_E_CERT)
			tern_error(cert_at, "cert", " %s: not an X.509 certificate tern can use", cp);
		else if (err == QUIC_TLS_E_KEY)
			tern_error(key_at, "key", " %s: not a private key tern can use (RSA, EC "
				   "P-256/P-384, Ed25519)", kp);
		else if (err == QUIC_TLS_E_KEY_MISMATCH && cert_at->file)
			tern_error(key_at, "key", " %s does not belong to cert %s (%s:%u)", kp, cp,
				   cert_at->file, cert_at->line);
		else if (err == QUIC_TLS_E_KEY_MISMATCH)
			tern_error(key_at, "key", " %s does not belong to --cert %s", kp, cp);
		else
			fprintf(stderr, "tern: cannot start the QUIC endpoint (entropy or memory)\n");
		close(fd);
		return 2;
	}

	LOG_INFO("tern %s listening on udp %s (board %s)", TERN_VERSION, set.listen, CONFIG_BOARD);
	if (config_path)
		LOG_INFO("config file: %s (the command line wins over it)", config_path);
	LOG_INFO("%s", crypto_paths(line, sizeof(line)));
	term_attach(&term, &ep);
	LOG_INFO("HTTP/3: built-in responder on / (status), /bytes/N, /echo");
	for (uint32_t i = 0; i < term.nroutes; i++)
		LOG_INFO("route %s%s -> port %u", term.routes[i].authority, term.routes[i].prefix,
			 (unsigned)term.routes[i].to.port);
	if (term.has_backend)
		LOG_INFO("backend: %s (timeout %.1f s) for every other path",
			 set.backend ? set.backend : CONFIG_TERM_BACKEND, (double)term.timeout_ns / 1e9);
	if (term.alt_svc[0])
		LOG_INFO("alt-svc: %s (added to backend responses)", term.alt_svc);
	LOG_INFO("certificate: %s", set.cert ? set.cert : "built-in demo (CN localhost)");

	uint64_t start = port_now_ns();
	uint64_t end = duration > 0 ? start + (uint64_t)(duration * 1e9) : UINT64_MAX;
	unsigned long dgrams = 0, bytes = 0, ecn_rx[4] = { 0 };
	uint32_t done_seen = 0;
	static uint8_t buf[65536];

	uint64_t drain_end = 0;

	for (;;) {
		uint64_t now = port_now_ns();

		if (stop_signal && !drain_end) {
			/* GOAWAY, let requests in progress finish, then go */
			LOG_INFO("signal %d: GOAWAY to %u connections, draining (at most %u s)",
				 (int)stop_signal, (unsigned)ep.nconns,
				 (unsigned)(DRAIN_NS / 1000000000u));
			drain_end = now + DRAIN_NS;
			term_shutdown(&term, now);
		}
		if (drain_end && (term_idle(&term) || now >= drain_end))
			break;
		if (now >= end)
			break;
		uint64_t wake = quic_endpoint_deadline(&ep);

		if (term_deadline(&term) < wake)
			wake = term_deadline(&term);

		if (wake > end)
			wake = end;
		if (drain_end && wake > drain_end)
			wake = drain_end;
		uint64_t left_ms = wake > now ? (wake - now + 999999) / 1000000u : 0;
		struct pollfd pfd[1 + CONFIG_TERM_BACKEND_CONNS];
		int ids[CONFIG_TERM_BACKEND_CONNS];
		size_t nb;

		pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
		nb = port_posix_tcp_pollfds(pfd + 1, ids, CONFIG_TERM_BACKEND_CONNS);
		int r = poll(pfd, 1 + nb, left_ms > 1000 ? 1000 : (int)left_ms);

		if (r < 0 && errno != EINTR) {
			LOG_ERR("poll: %s", strerror(errno));
			break;
		}
		for (size_t i = 0; r > 0 && i < nb; i++)
			port_posix_tcp_revents(ids[i], pfd[1 + i].revents);
		for (;;) {
			struct sockaddr_storage from;
			uint8_t cp;
			ssize_t n = recv_ecn(fd, buf, sizeof(buf), &from, &cp);
			struct quic_addr qa;

			if (n < 0)
				break;
			dgrams++;
			bytes += (unsigned long)n;
			ecn_rx[cp]++;
			if (to_quic_addr(&from, &qa) == 0)
				quic_endpoint_input_ecn(&ep, &qa, buf, (size_t)n, cp, port_now_ns());
		}
		now = port_now_ns();
		if (quic_endpoint_deadline(&ep) <= now)
			quic_endpoint_timeout(&ep, now);
		term_poll(&term, now);
		for (;;) {
			struct quic_addr to;
			struct sockaddr_storage ss;
			socklen_t sl;
			uint8_t cp;
			size_t n = quic_endpoint_output_ecn(&ep, &to, buf, sizeof(buf), &cp, now);

			if (!n)
				break;
			sl = from_quic_addr(&to, &ss);
			if (send_ecn(fd, buf, n, &ss, sl, ecn ? cp : 0) < 0)
				LOG_DEBUG("sendmsg: %s", strerror(errno));
		}
		while (done_seen < ep.st.handshakes) {
			done_seen++;
			LOG_INFO("QUIC handshake completed (%u so far)", (unsigned)done_seen);
		}
	}
	close(fd);
	LOG_INFO("stopping%s: %lu datagrams (%lu bytes) received; connections: %u accepted, "
		 "%u handshakes completed, %u refused, %u closed; %u Retry, %u VN, %u resets sent",
		 stop_signal ? " on signal" : "", dgrams, bytes, (unsigned)ep.st.conns_accepted,
		 (unsigned)ep.st.handshakes, (unsigned)ep.st.conns_refused,
		 (unsigned)ep.st.conns_closed, (unsigned)ep.st.retry_sent,
		 (unsigned)ep.st.vn_sent, (unsigned)ep.st.reset_sent);
	/* per-connection counters: those of freed connections were added to
	 * ep.st, those still open are added here */
	struct quic_endpoint_stats sum = ep.st;

	for (uint32_t i = 0; i < ep.nconns; i++) {
		const struct quic_conn *qc = quic_endpoint_conn(&ep, ep.conns[i]);

		if (!qc)
			continue;
		sum.migrations += qc->stats.migrations;
		sum.path_fail += qc->stats.path_fail;
		sum.path_drop += qc->stats.path_drop;
		sum.pkts_lost += qc->rec.stats.lost;
		sum.ptos += qc->rec.stats.pto;
		sum.ecn_capable += qc->rec.ecn == QUIC_ECN_CAPABLE;
	}
	LOG_INFO("ecn: datagrams received %lu ECT(0), %lu ECT(1), %lu CE, %lu not ECT; "
		 "%u connections validated ECN", ecn_rx[QUIC_ECN_ECT0], ecn_rx[QUIC_ECN_ECT1],
		 ecn_rx[QUIC_ECN_CE], ecn_rx[QUIC_ECN_NOT_ECT], (unsigned)sum.ecn_capable);
	term_report(&term, log_line, NULL);
	LOG_INFO("paths: %u migrations followed, %u path validations failed, %u packets from "
		 "a new address dropped; recovery: %u packets lost, %u PTOs",
		 (unsigned)sum.migrations, (unsigned)sum.path_fail, (unsigned)sum.path_drop,
		 (unsigned)sum.pkts_lost, (unsigned)sum.ptos);
	term_stop(&term);
	quic_endpoint_deinit(&ep);
	pool_stats_format(print_line, stderr);
	return 0;
}
