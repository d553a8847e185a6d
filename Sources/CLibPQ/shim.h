#ifndef ROSTER_CLIBPQ_SHIM_H
#define ROSTER_CLIBPQ_SHIM_H

// Debian's libpq-dev installs the client header under postgresql/, not on the default path.
#include <postgresql/libpq-fe.h>

#endif
