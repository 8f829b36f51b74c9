/* crypto/backends_portable: the backend list of CONFIG_CRYPTO_PORTABLE
 * (crypto/backend.h): wolfCrypt's C code for everything. */
#include "crypto/backend.h"

const struct crypto_backend *const crypto_backends[] = {
	&crypto_backend_wolfcrypt,
	NULL,
};
