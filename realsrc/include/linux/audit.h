/* Stands in for <linux/audit.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_AUDIT_H
#define KENV_LINUX_AUDIT_H
#include "kenv.h"
#endif
