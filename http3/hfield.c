/* http3/hfield: RFC 9110 field syntax (see hfield.h). */
#include "http3/hfield.h"

#define T HFIELD_TCHAR
#define V HFIELD_VCHAR
#define W HFIELD_WS
#define U HFIELD_UPPER
#define D HFIELD_DIGIT
#define X HFIELD_HEX

/* Built as a table so that the per-byte checks of the parsers are one
 * load; the 0x80-0xff half is obs-text. */
const uint8_t hfield_class[256] = {
	['\t'] = W,
	[' '] = W,
	['!'] = T | V, ['"'] = V, ['#'] = T | V, ['$'] = T | V, ['%'] = T | V,
	['&'] = T | V, ['\''] = T | V, ['('] = V, [')'] = V, ['*'] = T | V,
	['+'] = T | V, [','] = V, ['-'] = T | V, ['.'] = T | V, ['/'] = V,
	['0'] = T | V | D | X, ['1'] = T | V | D | X, ['2'] = T | V | D | X,
	['3'] = T | V | D | X, ['4'] = T | V | D | X, ['5'] = T | V | D | X,
	['6'] = T | V | D | X, ['7'] = T | V | D | X, ['8'] = T | V | D | X,
	['9'] = T | V | D | X,
	[':'] = V, [';'] = V, ['<'] = V, ['='] = V, ['>'] = V, ['?'] = V, ['@'] = V,
	['A'] = T | V | U | X, ['B'] = T | V | U | X, ['C'] = T | V | U | X,
	['D'] = T | V | U | X, ['E'] = T | V | U | X, ['F'] = T | V | U | X,
	['G'] = T | V | U, ['H'] = T | V | U, ['I'] = T | V | U, ['J'] = T | V | U,
	['K'] = T | V | U, ['L'] = T | V | U, ['M'] = T | V | U, ['N'] = T | V | U,
	['O'] = T | V | U, ['P'] = T | V | U, ['Q'] = T | V | U, ['R'] = T | V | U,
	['S'] = T | V | U, ['T'] = T | V | U, ['U'] = T | V | U, ['V'] = T | V | U,
	['W'] = T | V | U, ['X'] = T | V | U, ['Y'] = T | V | U, ['Z'] = T | V | U,
	['['] = V, ['\\'] = V, [']'] = V, ['^'] = T | V, ['_'] = T | V, ['`'] = T | V,
	['a'] = T | V | X, ['b'] = T | V | X, ['c'] = T | V | X, ['d'] = T | V | X,
	['e'] = T | V | X, ['f'] = T | V | X,
	['g'] = T | V, ['h'] = T | V, ['i'] = T | V, ['j'] = T | V, ['k'] = T | V,
	['l'] = T | V, ['m'] = T | V, ['n'] = T | V, ['o'] = T | V, ['p'] = T | V,
	['q'] = T | V, ['r'] = T | V, ['s'] = T | V, ['t'] = T | V, ['u'] = T | V,
	['v'] = T | V, ['w'] = T | V, ['x'] = T | V, ['y'] = T | V, ['z'] = T | V,
	['{'] = V, ['|'] = T | V, ['}'] = V, ['~'] = T | V,
	[0x80 ... 0xff] = V,
};

bool hfield_token(const uint8_t *p, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!hfield_is(p[i], HFIELD_TCHAR))
			return false;
	return true;
}

bool hfield_value(const uint8_t *p, size_t n)
{
	if (n && (hfield_is(p[0], HFIELD_WS) || hfield_is(p[n - 1], HFIELD_WS)))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!hfield_is(p[i], HFIELD_VCHAR | HFIELD_WS))
			return false;
	return true;
}

bool hfield_eq_ci(const uint8_t *p, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!lit[i] || hfield_lower(p[i]) != (uint8_t)lit[i])
			return false;
	return !lit[i];
}

bool hfield_list_next(const uint8_t **p, const uint8_t *end, const uint8_t **el, size_t *len)
{
	const uint8_t *s = *p, *e;

	for (;;) {
		while (s < end && (hfield_is(*s, HFIELD_WS) || *s == ','))
			s++;
		if (s == end) {
			*p = s;
			return false;
		}
		e = s;
		while (e < end && *e != ',')
			e++;
		*p = e;
		while (e > s && hfield_is(e[-1], HFIELD_WS))
			e--;
		*el = s;
		*len = (size_t)(e - s);
		return true;
	}
}

/* 1*DIGIT into *v; -1 on anything else or overflow */
static int decimal(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)p[i] - '0';

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int hfield_content_length(const uint8_t *p, size_t n, uint64_t *v)
{
	const uint8_t *end = p + n, *s = p;
	bool first = true;
	uint64_t x;

	/* the elements are split by hand, not with hfield_list_next: an
	 * empty element ("42,,42", "42,") is refused here */
	for (;;) {
		const uint8_t *e = s;

		while (e < end && *e != ',')
			e++;
		const uint8_t *a = s, *b = e;

		if (!first)
			while (a < b && hfield_is(*a, HFIELD_WS))
				a++;
		if (e < end)
			while (b > a && hfield_is(b[-1], HFIELD_WS))
				b--;
		if (decimal(a, (size_t)(b - a), &x))
			return -1;
		if (!first && x != *v)
			return -1;
		*v = x;
		first = false;
		if (e == end)
			return 0;
		s = e + 1;
	}
}

bool hfield_connection_specific(const uint8_t *name, size_t n)
{
	return hfield_eq_ci(name, n, "connection") || hfield_eq_ci(name, n, "keep-alive") ||
	       hfield_eq_ci(name, n, "proxy-connection") ||
	       hfield_eq_ci(name, n, "transfer-encoding") || hfield_eq_ci(name, n, "upgrade");
}

bool hfield_connection_lists(const uint8_t *conn, size_t conn_len, const uint8_t *name,
			     size_t n)
{
	const uint8_t *p = conn, *end = conn + conn_len, *el;
	size_t len;

	while (hfield_list_next(&p, end, &el, &len)) {
		if (len != n)
			continue;
		size_t i;

		for (i = 0; i < n && hfield_lower(el[i]) == hfield_lower(name[i]); i++)
			;
		if (i == n)
			return true;
	}
	return false;
}
